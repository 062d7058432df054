import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image deactivate and reactivate")
struct ImageActivationTests {
    @Test("only the admin deactivates; a deactivated image's data is forbidden to others; reactivate restores it")
    func deactivateAndReactivate() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let data = payload(4096)
            let id = try await client.createActiveImage(token: actors.alice, bytes: data)

            let byOwner = try await client.glance(.post, "/images/\(id)/actions/deactivate", token: actors.alice)
            expectFault(byOwner, 403, title: "Forbidden")
            #expect(try await client.imageStatus(id, token: actors.alice) == "active")

            let deactivate = try await client.glance(.post, "/images/\(id)/actions/deactivate", token: actors.admin)
            #expect(deactivate.status == 204, "\(deactivate.summary)")
            #expect(try await client.imageStatus(id, token: actors.alice) == "deactivated")
            // Deactivating again is allowed (Glance treats it as a no-op).
            #expect(try await client.glance(.post, "/images/\(id)/actions/deactivate", token: actors.admin).status == 204)

            let download = try await client.download(id, token: actors.alice)
            expectFault(download, 403, title: "Forbidden", messageContains: "deactivated")

            // The record is still readable and listed.
            #expect(try await client.listImageIDs(token: actors.alice).contains(id))

            let reactivateByOwner = try await client.glance(.post, "/images/\(id)/actions/reactivate", token: actors.alice)
            expectFault(reactivateByOwner, 403)
            #expect(try await client.imageStatus(id, token: actors.alice) == "deactivated")

            let reactivate = try await client.glance(.post, "/images/\(id)/actions/reactivate", token: actors.admin)
            #expect(reactivate.status == 204, "\(reactivate.summary)")
            #expect(try await client.imageStatus(id, token: actors.alice) == "active")
            let after = try await client.download(id, token: actors.alice)
            #expect(after.status == 200, "\(after.summary)")
            expectBytes(after.bytes, data)
        }
    }

    @Test("the admin still downloads a deactivated image's data (200, the same bytes)")
    func adminDownloadsDeactivated() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let data = payload(4096)
            let id = try await client.createActiveImage(token: actors.alice, bytes: data)
            #expect(try await client.glance(.post, "/images/\(id)/actions/deactivate", token: actors.admin).status == 204)
            let reply = try await client.download(id, token: actors.admin)
            #expect(reply.status == 200, "admin download of a deactivated image: \(reply.summary)")
            expectBytes(reply.bytes, data)
            #expect(reply.header("Content-MD5") == md5Hex(data))
        }
    }

    @Test("a queued image can be neither deactivated nor reactivated (4xx), and stays queued")
    func queuedImage() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            for action in ["deactivate", "reactivate"] {
                let reply = try await client.glance(.post, "/images/\(id)/actions/\(action)", token: actors.admin)
                #expect((400..<500).contains(reply.status), "\(action): \(reply.summary)")
                #expect(reply.faultMessage?.contains("queued") == true, "\(reply.summary)")
            }
            #expect(try await client.imageStatus(id, token: actors.alice) == "queued")
        }
    }

    @Test("deactivating an image the caller cannot see is a 404, also for a missing image")
    func invisible() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createActiveImage(token: actors.alice, ["visibility": "private"])
            expectFault(try await client.glance(.post, "/images/\(id)/actions/deactivate", token: actors.demo), 404)
            expectFault(try await client.glance(.post, "/images/00000000-0000-4000-8000-000000000000/actions/deactivate", token: actors.admin), 404)
            #expect(try await client.imageStatus(id, token: actors.alice) == "active")
        }
    }
}
