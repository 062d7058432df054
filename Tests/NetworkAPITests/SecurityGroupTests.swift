import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Security groups")
struct SecurityGroupTests {
    @Test func eachProjectGetsADefaultGroupWithNeutronsRulesOnFirstUse() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            let first = try await neutron(client, .get, "/security-groups", demo)
            let groups = first.list("security_groups")
            #expect(groups.count == 1)
            let group = try #require(groups.first)
            #expect(group["name"] as? String == "default")
            let id = try #require(group["id"] as? String)
            let rules = try #require(group["security_group_rules"] as? [[String: Any]])
            #expect(rules.count == 4)
            let summary = Set(rules.map { "\($0["direction"]!) \($0["ethertype"]!) \(($0["remote_group_id"] as? String) == id ? "self" : "any")" })
            #expect(summary == ["ingress IPv4 self", "ingress IPv6 self", "egress IPv4 any", "egress IPv6 any"])
            #expect(rules.allSatisfy { $0["belongs_to_default_sg"] as? Bool == true })
            // Listing again does not make another.
            #expect(try await neutron(client, .get, "/security-groups", demo).list("security_groups").count == 1)
            expectNeutronError(try await neutron(client, .delete, "/security-groups/\(id)", demo), 409, "SecurityGroupCannotRemoveDefault")
            expectNeutronError(
                try await neutron(client, .put, "/security-groups/\(id)", demo, ["security_group": ["name": "renamed"]]), 409,
                "SecurityGroupCannotUpdateDefault"
            )
            expectNeutronError(
                try await neutron(client, .post, "/security-groups", demo, ["security_group": ["name": "default"]]), 409,
                "SecurityGroupDefaultAlreadyExists"
            )
        }
    }

    @Test func portsGetTheDefaultGroupAndAGroupInUseCannotBeDeleted() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            let web = try await neutron(client, .post, "/security-groups", token, ["security_group": ["name": "web", "description": "http"]])
            #expect(web.status == 201)
            let webId = try #require(web.string("security_group", "id"))
            #expect((web.value("security_group", "security_group_rules") as? [[String: Any]])?.count == 2)

            let plain = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]])
            let defaultId = try #require(try await neutron(client, .get, "/security-groups?name=default", token).list("security_groups").first?["id"] as? String)
            #expect(plain.value("port", "security_groups") as? [String] == [defaultId])

            let withWeb = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network, "security_groups": [webId]]])
            #expect(withWeb.value("port", "security_groups") as? [String] == [webId])
            let filtered = try await neutron(client, .get, "/ports?security_groups=\(webId)", token)
            #expect(filtered.list("ports").count == 1)
            expectNeutronError(try await neutron(client, .delete, "/security-groups/\(webId)", token), 409, "SecurityGroupInUse")

            let unsecured = try await neutron(client, .post, "/ports", token, [
                "port": ["network_id": network, "port_security_enabled": false, "security_groups": [webId]]
            ])
            expectNeutronError(unsecured, 400, "PortSecurityAndIPRequiredForSecurityGroups")
            let open = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network, "port_security_enabled": false]])
            #expect(open.value("port", "security_groups") as? [String] == [])

            let portId = try #require(withWeb.string("port", "id"))
            let moved = try await neutron(client, .put, "/ports/\(portId)", token, ["port": ["security_groups": []]])
            #expect(moved.value("port", "security_groups") as? [String] == [])
            #expect(try await neutron(client, .delete, "/security-groups/\(webId)", token).status == 204)
        }
    }

    @Test func rulesAreListedShownAndDeleted() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let group = try #require(try await neutron(client, .post, "/security-groups", token, ["security_group": ["name": "ssh"]]).string("security_group", "id"))
            let created = try await neutron(client, .post, "/security-group-rules", token, ["security_group_rule": [
                "security_group_id": group, "direction": "ingress", "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
            ]])
            #expect(created.status == 201)
            let id = try #require(created.string("security_group_rule", "id"))
            #expect(created.value("security_group_rule", "port_range_min") as? Int == 22)
            #expect(created.string("security_group_rule", "ethertype") == "IPv4")
            let listed = try await neutron(client, .get, "/security-group-rules?security_group_id=\(group)&protocol=tcp", token)
            #expect(listed.list("security_group_rules").compactMap { $0["id"] as? String } == [id])
            #expect(try await neutron(client, .get, "/security-group-rules/\(id)", token).status == 200)
            #expect(try await neutron(client, .delete, "/security-group-rules/\(id)", token).status == 204)
            expectNeutronError(try await neutron(client, .get, "/security-group-rules/\(id)", token), 404, "SecurityGroupRuleNotFound")
        }
    }
}
