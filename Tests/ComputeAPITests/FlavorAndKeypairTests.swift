import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Flavors and keypairs")
struct FlavorAndKeypairTests {
    @Test func defaultFlavorsAndTheirFieldsByMicroversion() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let detail = try await nova(client, .get, "/flavors/detail", token)
            let names = detail.list("flavors").compactMap { $0["name"] as? String }
            #expect(names == ["m1.tiny", "m1.small", "m1.medium", "m1.large", "m1.xlarge"])
            let tiny = try #require(detail.list("flavors").first)
            #expect(tiny["ram"] as? Int == 512 && tiny["vcpus"] as? Int == 1 && tiny["disk"] as? Int == 1)
            #expect(tiny["swap"] as? Int == 0)
            #expect(tiny["extra_specs"] as? [String: String] == [:])
            let old = try await nova(client, .get, "/flavors/1", token, version: "2.1")
            #expect(old.string("flavor", "swap") == "")
            #expect(old.value("flavor", "extra_specs") == nil)
            expectNovaFault(try await nova(client, .get, "/flavors/m1.tiny", token), 404)
        }
    }

    @Test func onlyAdminManagesFlavorsAndPrivateOnesNeedAccess() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            let body: [String: Any] = ["flavor": ["name": "private.small", "ram": 256, "vcpus": 1, "disk": 1, "id": "p1", "os-flavor-access:is_public": false]]
            expectNovaFault(try await nova(client, .post, "/flavors", demo, body), 403)
            let created = try await nova(client, .post, "/flavors", admin, body)
            #expect(created.status == 200, "\(created.summary)")
            #expect(created.string("flavor", "id") == "p1")
            expectNovaFault(try await nova(client, .post, "/flavors", admin, body), 409)
            expectNovaFault(try await nova(client, .get, "/flavors/p1", demo), 404)
            #expect(!(try await nova(client, .get, "/flavors", demo).list("flavors").contains { $0["id"] as? String == "p1" }))

            let demoProject = try #require(try await client.request(.get, "/identity/v3/projects?name=demo", token: admin).list("projects").first?["id"] as? String)
            let granted = try await nova(client, .post, "/flavors/p1/action", admin, ["addTenantAccess": ["tenant": demoProject]])
            #expect((granted.value("flavor_access") as? [[String: String]])?.first?["tenant_id"] == demoProject)
            #expect(try await nova(client, .get, "/flavors/p1", demo).status == 200)

            let specs = try await nova(client, .post, "/flavors/p1/os-extra_specs", admin, ["extra_specs": ["hw:cpu_policy": "shared"]])
            #expect(specs.value("extra_specs") as? [String: String] == ["hw:cpu_policy": "shared"])
            #expect(try await nova(client, .get, "/flavors/p1/os-extra_specs/hw:cpu_policy", demo).string("hw:cpu_policy") == "shared")
            #expect(try await nova(client, .delete, "/flavors/p1", admin).status == 202)
            expectNovaFault(try await nova(client, .get, "/flavors/p1", admin), 404)
            expectNovaFault(try await nova(client, .post, "/flavors", admin, ["flavor": ["name": "bad", "ram": 0, "vcpus": 1, "disk": 1]]), 400)
            // The id may be a JSON number, as Nova's schema allows (tempest sends one), and the RAM a numeric string.
            let numbered = try await nova(client, .post, "/flavors", admin, ["flavor": ["name": "numbered", "ram": "64", "vcpus": 1, "disk": 0, "id": 1265535338]])
            #expect(numbered.status == 200 && numbered.string("flavor", "id") == "1265535338", "\(numbered.summary)")
            expectNovaFault(try await nova(client, .post, "/flavors", admin, ["flavor": ["name": "half", "ram": 64, "vcpus": 1, "disk": 0, "id": 1.5]]), 400)
        }
    }

    @Test func keypairsAreEachUsersOwn() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHmg6uQKmsIyZMW1X2F7ZS8m2SScJ8YvR9bwu7PRNBXf test@stratus"
            let created = try await nova(client, .post, "/os-keypairs", admin, ["keypair": ["name": "k1", "public_key": key]])
            #expect(created.status == 201, "\(created.summary)")
            #expect(created.string("keypair", "fingerprint")?.split(separator: ":").count == 16)
            #expect(created.string("keypair", "type") == "ssh")
            expectNovaFault(try await nova(client, .post, "/os-keypairs", admin, ["keypair": ["name": "k1", "public_key": key]]), 409)
            expectNovaFault(try await nova(client, .post, "/os-keypairs", admin, ["keypair": ["name": "k2", "public_key": "not a key"]]), 400)
            expectNovaFault(try await nova(client, .post, "/os-keypairs", admin, ["keypair": ["name": "k/3", "public_key": key]]), 400)
            // Since 2.92 keys are imported only.
            expectNovaFault(try await nova(client, .post, "/os-keypairs", admin, ["keypair": ["name": "k4"]]), 400)
            // As Nova's: a create shows the key's user, a list item does not (tempest's schemas forbid it there).
            #expect(created.string("keypair", "user_id") != nil)
            let items = try await nova(client, .get, "/os-keypairs", admin).list("keypairs")
            #expect(items.count == 1 && (items.first?["keypair"] as? [String: Any])?["user_id"] == nil, "\(items)")
            #expect(try await nova(client, .get, "/os-keypairs/k1", admin).string("keypair", "public_key") == key)

            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            #expect(try await nova(client, .get, "/os-keypairs", demo).list("keypairs").isEmpty)
            expectNovaFault(try await nova(client, .get, "/os-keypairs/k1", demo), 404)
            #expect(try await nova(client, .delete, "/os-keypairs/k1", admin).status == 204)
            expectNovaFault(try await nova(client, .get, "/os-keypairs/k1", admin), 404)
        }
    }
}
