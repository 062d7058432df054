import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image policy")
struct ImagePolicyTests {
    @Test("another project's private image is a 404 for show, file, patch, delete, tags and members")
    func privateImageHidden() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let data = payload(512)
            let id = try await client.createActiveImage(token: actors.alice, ["visibility": "private"], bytes: data)
            let demo = actors.demo
            expectFault(try await client.showImage(id, token: demo), 404, title: "Not Found", messageContains: id)
            expectFault(try await client.download(id, token: demo), 404)
            expectFault(try await client.patchImage(id, token: demo, [["op": "replace", "path": "/name", "value": "stolen"]]), 404)
            expectFault(try await client.glance(.delete, "/images/\(id)", token: demo), 404)
            expectFault(try await client.glance(.put, "/images/\(id)/tags/x", token: demo), 404)
            expectFault(try await client.glance(.get, "/images/\(id)/members", token: demo), 404)
            #expect(!(try await client.listImageIDs("visibility=all", token: demo).contains(id)))
            // Untouched, and still the owner's and the admin's.
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("name") as? String == "image")
            #expect(try await client.showImage(id, token: actors.admin).status == 200)
            expectBytes(try await client.download(id, token: actors.alice).bytes, data)
        }
    }

    @Test("a public image is visible to every project, which cannot change it (403)")
    func publicImageReadOnly() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let data = payload(700)
            let id = try await client.createActiveImage(token: actors.admin, name: "public-one", ["visibility": "public"], bytes: data)
            let demo = actors.demo
            #expect(try await client.showImage(id, token: demo).value("name") as? String == "public-one")
            #expect(try await client.listImageIDs(token: demo).contains(id))
            let download = try await client.download(id, token: demo)
            #expect(download.status == 200)
            expectBytes(download.bytes, data)
            expectFault(try await client.patchImage(id, token: demo, [["op": "replace", "path": "/name", "value": "mine"]]), 403, title: "Forbidden")
            expectFault(try await client.glance(.delete, "/images/\(id)", token: demo), 403)
            expectFault(try await client.glance(.put, "/images/\(id)/tags/mine", token: demo), 403)
            expectFault(try await client.upload(id, payload(10), token: demo), 403)
            expectFault(try await client.glance(.post, "/images/\(id)/members", token: demo, json: ["member": actors.aliceProject]), 403)
            let image = try await client.showImage(id, token: actors.admin)
            #expect(image.value("name") as? String == "public-one")
            #expect(image.value("tags") as? [String] == [])
        }
    }

    @Test("a protected image cannot be deleted (403); unprotected, delete removes record and data")
    func protectedDelete() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createActiveImage(token: actors.alice, ["protected": true], bytes: payload(2000))
            #expect(storeHasData(cloud, id))

            expectFault(try await client.glance(.delete, "/images/\(id)", token: actors.alice), 403, title: "Forbidden", messageContains: "protected")
            expectFault(try await client.glance(.delete, "/images/\(id)", token: actors.admin), 403)
            #expect(try await client.imageStatus(id, token: actors.alice) == "active")
            #expect(storeHasData(cloud, id))

            let unprotect = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/protected", "value": false]])
            #expect(unprotect.status == 200, "\(unprotect.summary)")
            let delete = try await client.glance(.delete, "/images/\(id)", token: actors.alice)
            #expect(delete.status == 204, "\(delete.summary)")
            #expect(delete.bytes.isEmpty)
            expectFault(try await client.showImage(id, token: actors.alice), 404, title: "Not Found")
            expectFault(try await client.download(id, token: actors.alice), 404)
            expectFault(try await client.glance(.delete, "/images/\(id)", token: actors.alice), 404)
            #expect(!(try await client.listImageIDs(token: actors.alice).contains(id)))
            // The data file is gone from the store (checked here: the directory is removed when `test` returns).
            #expect(!storeHasData(cloud, id))
            let files = (try? FileManager.default.contentsOfDirectory(atPath: cloud.imageDirectory)) ?? []
            #expect(!files.contains { $0.hasPrefix(id) }, "files left: \(files)")
        }
    }

    @Test("deleting a queued image (no data) answers 204")
    func deleteQueued() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let delete = try await client.glance(.delete, "/images/\(id)", token: actors.alice)
            #expect(delete.status == 204, "\(delete.summary)")
            expectFault(try await client.showImage(id, token: actors.alice), 404)
        }
    }

    @Test("a reader can read its project's images but not create, change, upload or delete (403)")
    func reader() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            _ = try await client.createUser("rita", password: "rita-password", project: "alpha", role: "reader", adminToken: actors.admin)
            let rita = try await client.token(user: "rita", password: "rita-password", project: "alpha")
            let id = try await client.createImage(token: actors.alice, ["visibility": "private"])

            expectFault(try await client.glance(.post, "/images", token: rita, json: ["name": "nope"]), 403, title: "Forbidden")
            #expect(try await client.listImageIDs(token: rita) == [id])
            #expect(try await client.showImage(id, token: rita).status == 200)
            expectFault(try await client.patchImage(id, token: rita, [["op": "replace", "path": "/name", "value": "x"]]), 403)
            expectFault(try await client.upload(id, payload(10), token: rita), 403)
            expectFault(try await client.glance(.put, "/images/\(id)/tags/x", token: rita), 403)
            expectFault(try await client.glance(.delete, "/images/\(id)", token: rita), 403)
            #expect(try await client.imageStatus(id, token: actors.alice) == "queued")
            #expect(try await client.listImageIDs(token: actors.alice) == [id])
        }
    }

    @Test("a member cannot set an image's owner; the admin can")
    func ownerField() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let byMember = try await client.glance(.post, "/images", token: actors.alice, json: ["name": "x", "owner": actors.demoProject])
            expectFault(byMember, 403)
            let byAdmin = try await client.glance(.post, "/images", token: actors.admin, json: ["name": "x", "owner": actors.demoProject])
            #expect(byAdmin.status == 201, "\(byAdmin.summary)")
            #expect(byAdmin.value("owner") as? String == actors.demoProject)
        }
    }

    @Test(
        "no token or a bad token is a 401 on every v2 route",
        arguments: [
            ("GET", "/images"), ("POST", "/images"), ("GET", "/images/00000000-0000-4000-8000-000000000000"),
            ("PATCH", "/images/00000000-0000-4000-8000-000000000000"), ("DELETE", "/images/00000000-0000-4000-8000-000000000000"),
            ("PUT", "/images/00000000-0000-4000-8000-000000000000/file"), ("GET", "/images/00000000-0000-4000-8000-000000000000/file"),
            ("GET", "/images/00000000-0000-4000-8000-000000000000/members"), ("GET", "/schemas/image"),
        ]
    )
    func unauthenticated(method: String, path: String) async throws {
        try await TestCloud.with { cloud, client in
            let verb: HTTPRequest.Method = switch method {
            case "POST": .post
            case "PATCH": .patch
            case "DELETE": .delete
            case "PUT": .put
            default: .get
            }
            let json: Any? = (method == "POST" || method == "PATCH") ? "{}" : nil
            let raw: [UInt8]? = method == "PUT" ? payload(10) : nil
            expectFault(try await client.glance(verb, path, token: nil, json: json, raw: raw), 401, title: "Unauthorized")
            expectFault(try await client.glance(verb, path, token: "not-a-token", json: json, raw: raw), 401, title: "Unauthorized")
        }
    }

    @Test("an expired token is a 401")
    func expiredToken() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            #expect(try await client.glance(.get, "/images", token: actors.alice).status == 200)
            cloud.clock.advance(seconds: 3601)
            expectFault(try await client.glance(.get, "/images", token: actors.alice), 401, title: "Unauthorized")
        }
    }

    @Test("an unscoped token cannot create an image (403)")
    func unscopedToken() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            // A user without a default project gets a really unscoped token.
            let user = try await client.request(.post, "/identity/v3/users", token: actors.admin, json: ["user": ["name": "nomad", "password": "nomad-password"]])
            #expect(user.status == 201, "\(user.status) \(user.body)")
            let unscoped = try await client.token(user: "nomad", password: "nomad-password", project: nil)
            let reply = try await client.glance(.post, "/images", token: unscoped, json: ["name": "x"])
            expectFault(reply, 403)
        }
    }
}
