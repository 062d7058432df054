import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Server metadata, tags, addresses and services")
struct ServerMetadataAndServiceTests {
    @Test func metadataTagsAndAddresses() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token), extra: ["metadata": ["a": "1"], "tags": ["blue"]])
            try await waitForStatus(client, token, id, "ACTIVE")
            let merged = try await nova(client, .post, "/servers/\(id)/metadata", token, ["metadata": ["b": "2"]])
            #expect(merged.value("metadata") as? [String: String] == ["a": "1", "b": "2"])
            let item = try await nova(client, .put, "/servers/\(id)/metadata/c", token, ["meta": ["c": "3"]])
            #expect(item.value("meta") as? [String: String] == ["c": "3"])
            expectNovaFault(try await nova(client, .put, "/servers/\(id)/metadata/c", token, ["meta": ["d": "4"]]), 400, "mismatch")
            #expect(try await nova(client, .delete, "/servers/\(id)/metadata/a", token).status == 204)
            expectNovaFault(try await nova(client, .get, "/servers/\(id)/metadata/a", token), 404)
            let replaced = try await nova(client, .put, "/servers/\(id)/metadata", token, ["metadata": ["only": "this"]])
            #expect(replaced.value("metadata") as? [String: String] == ["only": "this"])
            let many = Dictionary(uniqueKeysWithValues: (0..<129).map { ("k\($0)", "v") })
            expectNovaFault(try await nova(client, .put, "/servers/\(id)/metadata", token, ["metadata": many]), 403, "metadata_items")

            #expect(try await nova(client, .get, "/servers/\(id)/tags", token).value("tags") as? [String] == ["blue"])
            #expect(try await nova(client, .put, "/servers/\(id)/tags/green", token).status == 201)
            #expect(try await nova(client, .put, "/servers/\(id)/tags/green", token).status == 204)
            #expect(try await nova(client, .get, "/servers/\(id)/tags/green", token).status == 204)
            #expect(try await nova(client, .delete, "/servers/\(id)/tags/blue", token).status == 204)
            #expect(try await nova(client, .get, "/servers/\(id)", token).value("server", "tags") as? [String] == ["green"])
            expectNovaFault(try await nova(client, .put, "/servers/\(id)/tags/a%2Fb", token), 400)
            expectNovaFault(try await nova(client, .get, "/servers/\(id)/tags", token, version: "2.25"), 404)

            let ips = try await nova(client, .get, "/servers/\(id)/ips", token)
            let address = (ips.value("addresses", "auto_allocated_network") as? [[String: Any]])?.first
            #expect(address?["addr"] as? String == "10.0.0.2")
            #expect(try await nova(client, .get, "/servers/\(id)/ips/auto_allocated_network", token).status == 200)
            expectNovaFault(try await nova(client, .get, "/servers/\(id)/ips/other", token), 404)
        }
    }

    @Test func aDisabledHostTakesNoNewServers() async throws {
        try await TestCloud.with(computeHosts: 2) { _, client in
            let token = try await client.token()
            let services = try await nova(client, .get, "/os-services", token).list("services")
            let first = try #require(services.first { $0["host"] as? String == "fake-0" }?["id"] as? String)
            let disabled = try await nova(client, .put, "/os-services/\(first)", token, ["status": "disabled", "disabled_reason": "maintenance"])
            #expect(disabled.string("service", "status") == "disabled")
            #expect(disabled.string("service", "disabled_reason") == "maintenance")
            let image = try await uploadImage(client, token)
            for index in 0..<3 {
                let id = try await boot(client, token, image: image, name: "vm\(index)", networks: "none")
                #expect(try await waitForStatus(client, token, id, "ACTIVE").string("server", "OS-EXT-SRV-ATTR:host") == "fake-1")
            }
            let demo = try await memberToken(client, admin: token, user: "demo", project: "demo")
            expectNovaFault(try await nova(client, .put, "/os-services/\(first)", demo, ["status": "enabled"]), 403)
            #expect(try await nova(client, .put, "/os-services/\(first)", token, ["status": "enabled"]).string("service", "status") == "enabled")
            let second = try #require(services.first { $0["host"] as? String == "fake-1" }?["id"] as? String)
            expectNovaFault(try await nova(client, .delete, "/os-services/\(second)", token), 409)
        }
    }
}
