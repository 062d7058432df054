import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Compute versions and microversions")
struct ComputeVersionTests {
    @Test func versionDocumentsNeedNoToken() async throws {
        try await TestCloud.with { _, client in
            let root = try await client.request(.get, "/compute")
            #expect(root.status == 200)
            let version = try #require((root.value("versions") as? [[String: Any]])?.first)
            #expect(version["id"] as? String == "v2.1")
            #expect(version["version"] as? String == "2.96")
            #expect(version["min_version"] as? String == "2.1")
            let v21 = try await client.request(.get, "/compute/v2.1")
            #expect(v21.string("version", "status") == "CURRENT")
            #expect(try await client.request(.get, "/compute/v2.1/flavors").status == 401)
        }
    }

    @Test func microversionsAreNegotiatedAndEchoed() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let latest = try await client.request(.get, "/compute/v2.1/flavors", token: token, headers: ["OpenStack-API-Version": "compute latest"])
            #expect(latest.header("OpenStack-API-Version") == "compute 2.96")
            #expect(latest.header("X-OpenStack-Nova-API-Version") == "2.96")
            #expect(latest.header("Vary")?.contains("OpenStack-API-Version") == true)
            let legacy = try await client.request(.get, "/compute/v2.1/flavors", token: token, headers: ["X-OpenStack-Nova-API-Version": "2.60"])
            #expect(legacy.header("OpenStack-API-Version") == "compute 2.60")
            let none = try await client.request(.get, "/compute/v2.1/flavors", token: token)
            #expect(none.header("OpenStack-API-Version") == "compute 2.1")
            expectNovaFault(try await nova(client, .get, "/flavors", token, version: "2.200"), 406)
            expectNovaFault(try await nova(client, .get, "/flavors", token, version: "1.1"), 406)
            expectNovaFault(try await nova(client, .get, "/flavors", token, version: "two"), 400)
        }
    }
}
