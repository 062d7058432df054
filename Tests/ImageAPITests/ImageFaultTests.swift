import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image faults")
struct ImageFaultTests {
    /// One error of each kind the image service produces; every one must be Glance's fault body, never a 500.
    @Test("every error answer has Glance's fault shape: code \"<status> <title>\", title, message; never 5xx")
    func faultShapes() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let alice = actors.alice
            let active = try await client.createActiveImage(token: alice, bytes: payload(100))
            let queued = try await client.createImage(token: alice)
            let missing = "00000000-0000-4000-8000-000000000000"

            let cases: [(expected: Int, title: String, reply: GlanceReply)] = [
                (401, "Unauthorized", try await client.glance(.get, "/images", token: nil)),
                (401, "Unauthorized", try await client.glance(.get, "/images", token: "garbage")),
                (404, "Not Found", try await client.showImage(missing, token: alice)),
                (404, "Not Found", try await client.glance(.get, "/nowhere", token: alice)),
                (404, "Not Found", try await client.glance(.get, "/image/v3", token: nil)),
                (405, "Method Not Allowed", try await client.glance(.post, "/images/\(active)", token: alice, json: "{}")),
                (400, "Bad Request", try await client.glance(.post, "/images", token: alice, json: "not json")),
                (400, "Bad Request", try await client.glance(.get, "/images?limit=x", token: alice)),
                (403, "Forbidden", try await client.glance(.post, "/images", token: alice, json: ["status": "active"])),
                (409, "Conflict", try await client.upload(active, payload(10), token: alice)),
                (409, "Conflict", try await client.patchImage(queued, token: alice, [["op": "remove", "path": "/nothing"]])),
                (415, "Unsupported Media Type", try await client.patchImage(queued, token: alice, [], contentType: "application/json")),
                (416, "Range Not Satisfiable", try await client.download(active, token: alice, range: "bytes=100-")),
            ]
            for (expected, title, reply) in cases {
                expectFault(reply, expected, title: title)
                #expect(reply.object?.keys.sorted() == ["code", "message", "title"], "extra keys: \(reply.summary)")
            }
        }
    }

    @Test("a 404 message names the missing image")
    func notFoundMessage() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let missing = "11111111-2222-4333-8444-555555555555"
            let reply = try await client.showImage(missing, token: actors.alice)
            expectFault(reply, 404, title: "Not Found", messageContains: missing)
            #expect(reply.faultCode == "404 Not Found")
        }
    }

    @Test("a huge JSON body is a 413, not a crash")
    func hugeBody() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let big = "{\"name\": \"" + String(repeating: "a", count: 200_000) + "\"}"
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: big), 413)
            #expect(try await client.listImageIDs(token: actors.alice).isEmpty)
        }
    }

    @Test("overlong names, tags and property values are 400s naming the field")
    func overlongValues() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let long = String(repeating: "x", count: 256)
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["name": long]), 400, messageContains: "name")
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: ["tags": [long]]), 400, messageContains: "tags")
            expectFault(try await client.glance(.post, "/images", token: actors.alice, json: [long: "v"]), 400)
            let id = try await client.createImage(token: actors.alice)
            expectFault(try await client.glance(.put, "/images/\(id)/tags/\(long)", token: actors.alice), 400)
            #expect(try await client.showImage(id, token: actors.alice).value("tags") as? [String] == [])
        }
    }
}
