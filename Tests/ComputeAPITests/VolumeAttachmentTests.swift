import Database
import Foundation
import HTTPTypes
import SQLKit
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

/// `os-volume_attachments` on fake hosts with the real volume service (fake volume backend), its volumes made and
/// checked through its own API: the compute API reserves, the host attaches and completes; failures give the volume back.
@Suite("Volume attachments")
struct VolumeAttachmentTests {
    @Test func attachListShowAndDetachAcrossMicroversions() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token), flavor: "1")
            try await waitForStatus(client, token, id, "ACTIVE")
            let volume = try await createVolume(client, token)

            let attached = try await nova(
                client, .post, "/servers/\(id)/os-volume_attachments", token,
                ["volumeAttachment": ["volumeId": volume.rawValue, "tag": "data", "delete_on_termination": true]], version: "2.89"
            )
            #expect(attached.status == 200, "\(attached.summary)")
            let view = try #require(attached.value("volumeAttachment") as? [String: Any])
            #expect(view["id"] as? String == volume.rawValue && view["volumeId"] as? String == volume.rawValue)
            #expect(view["serverId"] as? String == id && view["device"] as? String == "/dev/vdb")
            #expect(view["tag"] as? String == "data" && view["delete_on_termination"] as? Bool == true)
            #expect(try await volumeStatus(client, token, volume) == "in-use")
            let driver = try #require(cloud.compute.drivers["fake-0"])
            #expect(try await driver.attachedVolumes(InstanceID(id)).map(\.volumeId) == [volume.rawValue])

            let listed = try await nova(client, .get, "/servers/\(id)/os-volume_attachments", token, version: "2.89").list("volumeAttachments")
            let attachments = try await volumeAttachments(client, token)
            #expect(attachments.count == 1 && attachments.first?["status"] as? String == "attached" && attachments.first?["instance"] as? String == id)
            let attachmentId = try #require(attachments.first?["id"] as? String, "\(attachments)")
            #expect(listed.count == 1 && listed.first?["id"] == nil)
            #expect(listed.first?["attachment_id"] as? String == attachmentId)
            #expect(listed.first?["bdm_uuid"] is String)
            let old = try await nova(client, .get, "/servers/\(id)/os-volume_attachments/\(volume)", token, version: "2.1")
            #expect(old.value("volumeAttachment") as? [String: String] == [
                "id": volume.rawValue, "volumeId": volume.rawValue, "serverId": id, "device": "/dev/vdb",
            ], "\(old.summary)")
            let server = try await nova(client, .get, "/servers/\(id)", token)
            let volumesAttached = try #require(server.value("server", "os-extended-volumes:volumes_attached") as? [[String: Any]])
            #expect(volumesAttached.count == 1 && volumesAttached.first?["id"] as? String == volume.rawValue)
            #expect(volumesAttached.first?["delete_on_termination"] as? Bool == true)

            // A rebuild or shelve would lose the volume: refused while it is attached.
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["shelve": NSNull()]), 409, "volumes attached")
            // In use: a second attach of the same volume is refused.
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/os-volume_attachments", token, ["volumeAttachment": ["volumeId": volume.rawValue]]), 409)

            #expect(try await nova(client, .delete, "/servers/\(id)/os-volume_attachments/\(volume)", token).status == 202)
            #expect(try await volumeStatus(client, token, volume) == "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
            #expect(try await driver.attachedVolumes(InstanceID(id)) == [])
            expectNovaFault(try await nova(client, .get, "/servers/\(id)/os-volume_attachments/\(volume)", token), 404)
            expectNovaFault(try await nova(client, .delete, "/servers/\(id)/os-volume_attachments/\(volume)", token), 404)
            let actions = try await nova(client, .get, "/servers/\(id)/os-instance-actions", token).list("instanceActions").compactMap { $0["action"] as? String }
            #expect(actions.contains("attach_volume") && actions.contains("detach_volume"), "\(actions)")
        }
    }

    @Test func badInputOtherProjectsAndFailuresGiveTheVolumeBack() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let token = try await memberToken(client, admin: admin, user: "alice", project: "alpha")
            let other = try await memberToken(client, admin: admin, user: "bob", project: "beta")
            let id = try await boot(client, token, image: try await uploadImage(client, token))
            try await waitForStatus(client, token, id, "ACTIVE")
            let volume = try await createVolume(client, token)
            let path = "/servers/\(id)/os-volume_attachments"

            expectNovaFault(try await nova(client, .post, path, token, ["volumeAttachment": [:] as [String: Any]]), 400, "volumeId")
            expectNovaFault(try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": "not-a-uuid"]]), 400, "uuid")
            expectNovaFault(try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": volume.rawValue, "color": "red"]]), 400)
            expectNovaFault(try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": volume.rawValue, "tag": "a/b"]]), 400)
            // Another project's server, and a volume this user cannot see: 404.
            expectNovaFault(try await nova(client, .post, path, other, ["volumeAttachment": ["volumeId": volume.rawValue]]), 404)
            let hidden = try await createVolume(client, other)
            expectNovaFault(try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": hidden.rawValue]]), 404, "could not be found")
            #expect(try await volumeStatus(client, other, hidden) == "available")

            // The volume service fails after the reserve (its database refuses the attachment's update with the host's
            // connector): the attachment is deleted and the volume is available again.
            try await cloud.backend.run { db in
                try await db.raw("CREATE TRIGGER attachment_update_fails BEFORE UPDATE ON volume_attachments BEGIN SELECT RAISE(ABORT, 'down'); END").run()
            }
            let failed = try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": volume.rawValue]])
            #expect(failed.status == 500 && failed.novaFault?.message.contains("Failed to attach volume") == true, "\(failed.summary)")
            try await cloud.backend.run { db in try await db.raw("DROP TRIGGER attachment_update_fails").run() }
            #expect(try await volumeStatus(client, token, volume) == "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
            #expect(try await nova(client, .get, path, token).list("volumeAttachments").isEmpty)

            // The hypervisor fails: the same.
            let driver = try #require(cloud.compute.drivers["fake-0"])
            await driver.injectFailure(.attachVolume, message: "no more PCI slots")
            let refused = try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": volume.rawValue]])
            #expect(refused.status == 500 && refused.novaFault?.message.contains("no more PCI slots") == true, "\(refused.summary)")
            #expect(try await volumeStatus(client, token, volume) == "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
            #expect(try await nova(client, .get, path, token).list("volumeAttachments").isEmpty)
            await driver.injectFailure(.attachVolume, message: nil)

            // A guest that keeps the disk keeps the attachment: the volume stays in use and attached.
            #expect(try await nova(client, .post, path, token, ["volumeAttachment": ["volumeId": volume.rawValue]]).status == 200)
            await driver.injectFailure(.detachVolume, message: "the guest did not release the disk")
            let kept = try await nova(client, .delete, "\(path)/\(volume)", token)
            #expect(kept.status == 500 && kept.novaFault?.message.contains("did not release") == true, "\(kept.summary)")
            #expect(try await volumeStatus(client, token, volume) == "in-use")
            #expect(try await volumeAttachments(client, token).map { $0["status"] as? String } == ["attached"])
            #expect(try await nova(client, .get, path, token).list("volumeAttachments").count == 1)
            await driver.injectFailure(.detachVolume, message: nil)

            // Deleting the server gives the volume back (it was not to be deleted on termination).
            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitUntilGone(client, token, id)
            #expect(try await volumeStatus(client, token, volume) == "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
        }
    }

    @Test func deletingAServerDeletesItsDeleteOnTerminationVolumes() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token))
            try await waitForStatus(client, token, id, "ACTIVE")
            let volume = try await createVolume(client, token)
            let body = ["volumeAttachment": ["volumeId": volume.rawValue, "delete_on_termination": true]]
            #expect(try await nova(client, .post, "/servers/\(id)/os-volume_attachments", token, body, version: "2.79").status == 200)
            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitUntilGone(client, token, id)
            #expect(try await volumeAttachments(client, token).isEmpty)
            try await waitForVolume(client, token, volume, nil)
        }
    }
}
