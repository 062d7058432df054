import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image version discovery and schemas")
struct ImageDiscoveryTests {
    @Test("GET /image answers 300 with v2.16 CURRENT linking to /image/v2/, without a token")
    func versionList() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.glance(.get, "/image", token: nil)
            #expect(reply.status == 300, "\(reply.summary)")
            #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
            let versions = reply.list("versions")
            let current = try #require(versions.first { $0["id"] as? String == "v2.16" }, "\(reply.summary)")
            #expect(current["status"] as? String == "CURRENT")
            #expect(versions.filter { $0["status"] as? String == "CURRENT" }.count == 1)
            let ids = versions.compactMap { $0["id"] as? String }
            #expect(ids.contains("v2.0"))
            #expect(Set(ids).count == ids.count, "duplicate version ids: \(ids)")
            for version in versions {
                let links = try #require(version["links"] as? [[String: Any]])
                let href = try #require(links.first { $0["rel"] as? String == "self" }?["href"] as? String)
                #expect(href.hasSuffix("/image/v2/"), "\(href)")
            }
            let currentLinks = try #require(current["links"] as? [[String: Any]])
            #expect(currentLinks.first?["href"] as? String == "http://127.0.0.1:8780/image/v2/")
        }
    }

    @Test("GET /image/versions answers 200 with the same list, without a token")
    func versionsPath() async throws {
        try await TestCloud.with { cloud, client in
            let root = try await client.glance(.get, "/image", token: nil)
            let reply = try await client.glance(.get, "/image/versions", token: nil)
            #expect(reply.status == 200, "\(reply.summary)")
            let ids = reply.list("versions").compactMap { $0["id"] as? String }
            #expect(ids.contains("v2.16"))
            #expect(ids == root.list("versions").compactMap { $0["id"] as? String })
        }
    }

    @Test("GET /image/v2/schemas/image describes name and visibility's allowed values")
    func imageSchema() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let reply = try await client.glance(.get, "/schemas/image", token: token)
            #expect(reply.status == 200, "\(reply.summary)")
            #expect(reply.value("name") as? String == "image")
            let name = try #require(reply.value("properties", "name") as? [String: Any])
            #expect(name["maxLength"] as? Int == 255)
            let visibility = try #require(reply.value("properties", "visibility", "enum") as? [String])
            #expect(Set(visibility) == ["public", "private", "shared", "community"])
            let diskFormats = try #require(reply.value("properties", "disk_format", "enum") as? [Any])
            #expect(diskFormats.contains { $0 as? String == "qcow2" })
            #expect(reply.value("properties", "status", "readOnly") as? Bool == true)
        }
    }

    @Test("the images, member and members schemas answer 200", arguments: ["images", "member", "members"])
    func otherSchemas(name: String) async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let reply = try await client.glance(.get, "/schemas/\(name)", token: token)
            #expect(reply.status == 200, "\(reply.summary)")
            #expect(reply.value("name") as? String == name)
            #expect(reply.value("properties") as? [String: Any] != nil)
            if name == "member" {
                let statuses = try #require(reply.value("properties", "status", "enum") as? [String])
                #expect(Set(statuses) == ["pending", "accepted", "rejected"])
            }
        }
    }
}
