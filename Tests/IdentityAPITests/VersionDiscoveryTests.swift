import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Identity version discovery")
struct VersionDiscoveryTests {
    @Test("GET /identity answers 300 with v3.14 and a self link to /identity/v3/, without a token")
    func versionList() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.request(.get, "/identity")
            #expect(reply.status == 300)
            let values = try #require(reply.value("versions", "values") as? [[String: Any]])
            #expect(values.count == 1)
            let version = try #require(values.first)
            #expect(version["id"] as? String == "v3.14")
            #expect(version["status"] as? String == "stable")
            let links = try #require(version["links"] as? [[String: Any]])
            let selfLink = try #require(links.first { $0["rel"] as? String == "self" }?["href"] as? String)
            #expect(selfLink.hasSuffix("/identity/v3/"))
            #expect(selfLink == "http://127.0.0.1:8780/identity/v3/")
            let mediaTypes = try #require(version["media-types"] as? [[String: Any]])
            #expect(mediaTypes.first?["type"] as? String == "application/vnd.openstack.identity-v3+json")
            #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
        }
    }

    @Test("GET /identity/v3 answers 200 with the version document, without a token")
    func versionDocument() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.request(.get, "/identity/v3")
            #expect(reply.status == 200)
            #expect(reply.value("version", "id") as? String == "v3.14")
            let links = try #require(reply.value("version", "links") as? [[String: Any]])
            #expect((links.first?["href"] as? String)?.hasSuffix("/identity/v3/") == true)
        }
    }

    @Test(
        "every response carries x-openstack-request-id req-<uuid>",
        arguments: [
            ("GET", "/identity"), ("GET", "/identity/v3"), ("GET", "/identity/v3/users"), ("GET", "/identity/v3/nowhere"),
            ("POST", "/identity/v3/auth/tokens"), ("PUT", "/identity/v3/auth/tokens"),
        ]
    )
    func requestIdHeader(method: String, path: String) async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.request(method == "GET" ? .get : method == "PUT" ? .put : .post, path, json: method == "GET" ? nil : "{}")
            let requestId = try #require(reply.header("x-openstack-request-id"), "no request id on \(method) \(path) (\(reply.status))")
            #expect(requestId.hasPrefix("req-"))
            // req- followed by a dashed UUID: 4 + 36 characters.
            #expect(requestId.count == 40)
        }
    }

    @Test("request ids differ between requests")
    func requestIdsAreUnique() async throws {
        try await TestCloud.with { cloud, client in
            let first = try await client.request(.get, "/identity/v3")
            let second = try await client.request(.get, "/identity/v3")
            #expect(first.header("x-openstack-request-id") != nil)
            #expect(first.header("x-openstack-request-id") != second.header("x-openstack-request-id"))
        }
    }
}
