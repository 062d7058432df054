import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image create")
struct ImageCreateTests {
    @Test("POST /v2/images answers 201 with a queued, shared image owned by the caller's project, properties at top level")
    func create() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let reply = try await client.glance(.post, "/images", token: actors.alice, json: [
                "name": "cirros-0.6", "disk_format": "qcow2", "container_format": "bare", "tags": ["linux", "tiny"],
                "min_disk": 1, "os_distro": "cirros", "owner_specified.openstack.md5": "",
            ])
            #expect(reply.status == 201, "\(reply.summary)")
            let image = try #require(reply.object, "\(reply.summary)")
            let id = try #require(image["id"] as? String)
            #expect(UUID(uuidString: id) != nil, "id \(id) is not a UUID")
            #expect(id == id.lowercased())
            #expect(image["name"] as? String == "cirros-0.6")
            #expect(image["status"] as? String == "queued")
            #expect(image["visibility"] as? String == "shared")
            #expect(image["owner"] as? String == actors.aliceProject)
            #expect(image["disk_format"] as? String == "qcow2")
            #expect(image["container_format"] as? String == "bare")
            #expect(image["tags"] as? [String] == ["linux", "tiny"])
            #expect(image["min_disk"] as? Int == 1)
            #expect(image["min_ram"] as? Int == 0)
            #expect(image["protected"] as? Bool == false)
            #expect(image["os_hidden"] as? Bool == false)
            // Null, not absent: clients read these keys.
            for key in ["size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value"] {
                #expect(image.keys.contains(key), "\(key) missing")
                #expect(image[key] is NSNull, "\(key) is \(String(describing: image[key]))")
            }
            #expect(image["os_distro"] as? String == "cirros")
            #expect(image["owner_specified.openstack.md5"] as? String == "")
            #expect(image["properties"] == nil, "custom properties must be top-level keys")
            #expect(image["self"] as? String == "/v2/images/\(id)")
            #expect(image["file"] as? String == "/v2/images/\(id)/file")
            #expect(image["schema"] as? String == "/v2/schemas/image")
            let expectedTime = cloud.clock.now().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
            let createdAt = try #require(image["created_at"] as? String)
            #expect(createdAt.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil, "created_at \(createdAt)")
            #expect(createdAt == expectedTime)
            #expect(image["updated_at"] as? String == createdAt)
            #expect(reply.header("Location") == "http://127.0.0.1:8780/image/v2/images/\(id)")

            // The stored record says the same.
            let shown = try await client.showImage(id, token: actors.alice)
            #expect(shown.status == 200)
            #expect(shown.value("os_distro") as? String == "cirros")
            #expect(shown.value("owner_specified.openstack.md5") as? String == "")
            #expect(shown.value("tags") as? [String] == ["linux", "tiny"])
            #expect(shown.value("created_at") as? String == createdAt)
        }
    }

    @Test("an explicit UUID id is used as the image's id")
    func explicitID() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let wanted = "9f4a3c1e-0b7d-4e52-8a61-2c3d4e5f6a7b"
            let id = try await client.createImage(token: actors.alice, ["id": wanted])
            #expect(id == wanted)
            #expect(try await client.showImage(wanted, token: actors.alice).status == 200)
        }
    }

    @Test("a non-UUID id is a 400 naming the field")
    func invalidID() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let reply = try await client.glance(.post, "/images", token: actors.alice, json: ["name": "x", "id": "not-a-uuid"])
            expectFault(reply, 400, title: "Bad Request", messageContains: "id")
            #expect(try await client.listImageIDs(token: actors.alice).isEmpty)
        }
    }

    @Test("a duplicate id is a 409 and the first image is untouched")
    func duplicateID() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let wanted = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"
            _ = try await client.createImage(token: actors.alice, name: "first", ["id": wanted])
            let again = try await client.glance(.post, "/images", token: actors.alice, json: ["name": "second", "id": wanted])
            expectFault(again, 409, title: "Conflict")
            let byOther = try await client.glance(.post, "/images", token: actors.demo, json: ["name": "third", "id": wanted])
            #expect(byOther.status == 409, "\(byOther.summary)")
            #expect(try await client.showImage(wanted, token: actors.alice).value("name") as? String == "first")
        }
    }

    @Test("create rejects read-only fields (403), bad formats and types (400), and a body that is not an object (400)")
    func invalidBodies() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["name": "x", "status": "active"]), 403)
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["name": "x", "checksum": "00"]), 403)
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["disk_format": "floppy"]), 400,
                        messageContains: "disk_format")
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["min_ram": -1]), 400, messageContains: "min_ram")
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["visibility": "everyone"]), 400,
                        messageContains: "visibility")
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["os_distro": 7]), 400, messageContains: "os_distro")
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: "[1, 2]"), 400)
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: "{\"name\": "), 400)
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["visibility": "public"]), 403)
            // Nothing was half-created.
            #expect(try await client.listImageIDs("visibility=all", token: actors.admin).isEmpty)
        }
    }
}
