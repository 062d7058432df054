import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Servers: isolation and bad input")
struct ServerIsolationAndInputTests {
    @Test func anotherProjectCannotSeeOrTouchServers() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let id = try await boot(client, admin, image: try await uploadImage(client, admin), networks: "none")
            try await waitForStatus(client, admin, id, "ACTIVE")
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            #expect(try await nova(client, .get, "/servers", demo).list("servers").isEmpty)
            #expect(try await nova(client, .get, "/servers/detail", demo).list("servers").isEmpty)
            expectNovaFault(try await nova(client, .get, "/servers/\(id)", demo), 404)
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", demo, ["os-stop": NSNull()]), 404)
            expectNovaFault(try await nova(client, .delete, "/servers/\(id)", demo), 404)
            expectNovaFault(try await nova(client, .get, "/os-hypervisors", demo), 403)
            expectNovaFault(try await nova(client, .get, "/os-services", demo), 403)
            // Admin sees every project's with all_tenants.
            #expect(try await nova(client, .get, "/servers?all_tenants=1", admin).list("servers").count == 1)
            let reader = try await memberToken(client, admin: admin, user: "viewer", project: "admin", role: "reader")
            #expect(try await nova(client, .get, "/servers/\(id)", reader).status == 200)
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", reader, ["os-stop": NSNull()]), 403)
            expectNovaFault(try await nova(client, .delete, "/servers/\(id)", reader), 403)
            let image = try await uploadImage(client, admin, name: "second")
            expectNovaFault(try await nova(client, .post, "/servers", reader, ["server": ["name": "r", "imageRef": image, "flavorRef": "1", "networks": "none"]]), 403)
        }
    }

    @Test func badBootRequestsAreNamed400s() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            func create(_ fields: [String: Any]) async throws -> TestClient.Reply {
                let base: [String: Any] = ["name": "x", "imageRef": image, "flavorRef": "1", "networks": "none"]
                return try await nova(client, .post, "/servers", token, ["server": base.merging(fields) { $1 }])
            }
            expectNovaFault(try await create(["flavorRef": "404"]), 400, "flavorRef")
            expectNovaFault(try await create(["imageRef": "6c0f9bb5-6a9c-4c62-9d5d-000000000000"]), 400, "could not be found")
            expectNovaFault(try await create(["imageRef": "not-a-uuid"]), 400)
            expectNovaFault(try await create(["networks": [["uuid": "6c0f9bb5-6a9c-4c62-9d5d-000000000000"]]]), 400, "Network")
            expectNovaFault(try await create(["networks": [["uuid": "nope"]]]), 400)
            expectNovaFault(try await create(["networks": "sometimes"]), 400)
            expectNovaFault(try await create(["name": String(repeating: "n", count: 256)]), 400, "name")
            expectNovaFault(try await create(["name": ""]), 400, "name")
            expectNovaFault(try await create(["user_data": "%%% not base64 %%%"]), 400, "user_data")
            expectNovaFault(try await create(["min_count": -1]), 400, "min_count")
            expectNovaFault(try await create(["min_count": 5, "max_count": 2]), 400)
            expectNovaFault(try await create(["key_name": "nokey"]), 400, "key_name")
            expectNovaFault(try await create(["colour": "blue"]), 400, "colour")
            let missingNetworks = try await nova(client, .post, "/servers", token, ["server": ["name": "x", "imageRef": image, "flavorRef": "1"]])
            expectNovaFault(missingNetworks, 400, "networks")
            expectNovaFault(try await nova(client, .post, "/servers", token, "{broken"), 400)
            #expect(try await nova(client, .get, "/servers", token).list("servers").isEmpty, "a refused boot left a server")
        }
    }
}
