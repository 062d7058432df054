import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Volume attachments")
struct AttachmentTests {
    static let server = "9a1a3b39-5b1f-4d8c-9c55-0a3e6f1c2a10"

    @Test func reserveConnectCompleteDetach() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let volume = try await createVolume(client, admin)

            let created = try await cinder(client, .post, "/attachments", admin, [
                "attachment": ["volume_uuid": volume, "instance_uuid": Self.server, "connector": [String: Any](), "mode": "rw"]
            ])
            #expect(created.status == 200, "\(created.summary)")
            let attachment = try #require(created.string("attachment", "id"))
            #expect(created.string("attachment", "status") == "reserved")
            #expect(created.string("attachment", "instance") == Self.server)
            #expect(created.string("attachment", "attach_mode") == "rw")
            #expect(created.string("attachment", "attached_at") == "")
            #expect(created.value("attachment", "connection_info") as? [String: Any] != nil)
            #expect(try await cinder(client, .get, "/volumes/\(volume)", admin).string("volume", "status") == "reserved")
            // No multiattach: a second reservation is refused.
            expectFault(try await cinder(client, .post, "/attachments", admin, ["attachment": ["volume_uuid": volume, "instance_uuid": Self.server]]),
                        400, "badRequest", containing: "Invalid volume")
            expectFault(try await cinder(client, .delete, "/volumes/\(volume)", admin), 400, "badRequest",
                        containing: "Volume status must be available or error")

            let updated = try await cinder(client, .put, "/attachments/\(attachment)", admin, [
                "attachment": ["connector": ["host": "compute-1", "mountpoint": "/dev/vdb", "initiator": "iqn"]]
            ])
            #expect(updated.status == 200, "\(updated.summary)")
            #expect(updated.string("attachment", "status") == "attaching")
            #expect(updated.string("attachment", "connection_info", "driver_volume_type") == "file")
            #expect(updated.string("attachment", "connection_info", "data", "format") == "qcow2")
            #expect(updated.string("attachment", "connection_info", "data", "volume_id") == volume)
            #expect(updated.string("attachment", "connection_info", "data", "path")?.hasPrefix("/") == true)
            #expect(try await cinder(client, .get, "/volumes/\(volume)", admin).string("volume", "status") == "attaching")

            let complete = try await cinder(client, .post, "/attachments/\(attachment)/action", admin, ["os-complete": NSNull()])
            #expect(complete.status == 204, "\(complete.summary)")
            let inUse = try await cinder(client, .get, "/volumes/\(volume)", admin)
            #expect(inUse.string("volume", "status") == "in-use")
            let listed = try #require((inUse.value("volume", "attachments") as? [[String: Any]])?.first)
            #expect(listed["server_id"] as? String == Self.server)
            #expect(listed["attachment_id"] as? String == attachment)
            #expect(listed["volume_id"] as? String == volume && listed["id"] as? String == volume)
            #expect(listed["host_name"] as? String == "compute-1" && listed["device"] as? String == "/dev/vdb")
            #expect(listed["attached_at"] is String)
            #expect(try await cinder(client, .get, "/attachments/\(attachment)", admin).string("attachment", "status") == "attached")
            #expect(try await cinder(client, .get, "/attachments", admin).list("attachments").count == 1)
            #expect(try await cinder(client, .get, "/attachments/detail", admin).list("attachments").first?["connection_info"] != nil)

            expectFault(try await cinder(client, .delete, "/volumes/\(volume)", admin), 400, "badRequest")
            expectFault(try await cinder(client, .post, "/volumes/\(volume)/action", admin, ["os-extend": ["new_size": 2]]), 400, "badRequest")

            let deleted = try await cinder(client, .delete, "/attachments/\(attachment)", admin)
            #expect(deleted.status == 200, "\(deleted.summary)")
            #expect(deleted.list("attachments").isEmpty)
            let detached = try await cinder(client, .get, "/volumes/\(volume)", admin)
            #expect(detached.string("volume", "status") == "available")
            #expect((detached.value("volume", "attachments") as? [Any])?.isEmpty == true)
            expectFault(try await cinder(client, .get, "/attachments/\(attachment)", admin), 404, "itemNotFound")
        }
    }

    @Test func aConnectorAtCreateConnectsAtOnce() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let volume = try await createVolume(client, admin)
            let created = try await cinder(client, .post, "/attachments", admin, [
                "attachment": ["volume_uuid": volume, "instance_uuid": Self.server, "connector": ["host": "compute-1"]]
            ])
            #expect(created.string("attachment", "status") == "attaching")
            #expect(created.string("attachment", "connection_info", "data", "volume_id") == volume)
            let attachment = try #require(created.string("attachment", "id"))
            // The device beside the connector.
            let updated = try await cinder(client, .put, "/attachments/\(attachment)", admin, [
                "attachment": ["connector": ["host": "compute-1"], "mountpoint": "/dev/vdc"]
            ])
            #expect(updated.status == 200, "\(updated.summary)")
            #expect(try await cinder(client, .post, "/attachments/\(attachment)/action", admin, ["os-complete": NSNull()]).status == 204)
            let shown = try await cinder(client, .get, "/volumes/\(volume)", admin)
            #expect((shown.value("volume", "attachments") as? [[String: Any]])?.first?["device"] as? String == "/dev/vdc")
        }
    }

    @Test func attachmentsNeedTheirMicroversions() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let volume = try await createVolume(client, admin)
            let body: [String: Any] = ["attachment": ["volume_uuid": volume, "instance_uuid": Self.server]]
            expectFault(try await cinder(client, .post, "/attachments", admin, body, version: "3.26"), 404, "itemNotFound")
            let created = try await cinder(client, .post, "/attachments", admin, body, version: "3.27")
            let attachment = try #require(created.string("attachment", "id"))
            _ = try await cinder(client, .put, "/attachments/\(attachment)", admin, ["attachment": ["connector": ["host": "h"]]], version: "3.27")
            expectFault(try await cinder(client, .post, "/attachments/\(attachment)/action", admin, ["os-complete": NSNull()], version: "3.43"),
                        404, "itemNotFound")
            #expect(try await cinder(client, .post, "/attachments/\(attachment)/action", admin, ["os-complete": NSNull()], version: "3.44").status == 204)
        }
    }

    @Test func anAttachmentMustBeConnectedBeforeItCompletes() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let volume = try await createVolume(client, admin)
            let created = try await cinder(client, .post, "/attachments", admin, ["attachment": ["volume_uuid": volume, "instance_uuid": Self.server]])
            let attachment = try #require(created.string("attachment", "id"))
            expectFault(try await cinder(client, .post, "/attachments/\(attachment)/action", admin, ["os-complete": NSNull()]), 400, "badRequest")
            expectFault(try await cinder(client, .put, "/attachments/\(attachment)", admin, ["attachment": [:]]), 400, "badRequest",
                        containing: "connector")
            expectFault(try await cinder(client, .post, "/attachments", admin, ["attachment": ["instance_uuid": Self.server]]), 400, "badRequest",
                        containing: "volume_uuid")
            expectFault(try await cinder(client, .post, "/attachments", admin, ["attachment": ["volume_uuid": "missing"]]), 404, "itemNotFound")
        }
    }
}
