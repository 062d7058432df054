import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Network policy")
struct NetworkPolicyTests {
    @Test func anotherProjectsObjectsAreNotFound() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let network = try await createNetwork(client, admin)
            let subnet = try await createSubnet(client, admin, network: network, cidr: "10.8.0.0/24")
            let port = try #require(try await neutron(client, .post, "/ports", admin, ["port": ["network_id": network]]).string("port", "id"))
            let group = try #require(try await neutron(client, .post, "/security-groups", admin, ["security_group": ["name": "g"]]).string("security_group", "id"))
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")

            expectNeutronError(try await neutron(client, .get, "/networks/\(network)", demo), 404, "NetworkNotFound")
            expectNeutronError(try await neutron(client, .get, "/subnets/\(subnet)", demo), 404, "SubnetNotFound")
            expectNeutronError(try await neutron(client, .get, "/ports/\(port)", demo), 404, "PortNotFound")
            expectNeutronError(try await neutron(client, .get, "/security-groups/\(group)", demo), 404, "SecurityGroupNotFound")
            expectNeutronError(try await neutron(client, .delete, "/networks/\(network)", demo), 404, "NetworkNotFound")
            expectNeutronError(try await neutron(client, .post, "/ports", demo, ["port": ["network_id": network]]), 404, "NetworkNotFound")
            #expect(try await neutron(client, .get, "/networks", demo).list("networks").isEmpty)
            #expect(try await neutron(client, .get, "/ports", demo).list("ports").isEmpty)
            // Admin sees everything.
            let demoNetwork = try await createNetwork(client, demo, name: "demo-net")
            #expect(try await neutron(client, .get, "/networks/\(demoNetwork)", admin).status == 200)
        }
    }

    /// Quotas are read only and unlimited (-1); the details count the project's own resources; a member reads only
    /// its own project's.
    @Test func quotasAreUnlimitedAndCountTheProjectsResources() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demoProject = try await client.createUser("demo", password: "pw-demo", project: "demo", adminToken: admin).projectId
            let demo = try await client.token(user: "demo", password: "pw-demo", project: "demo")
            let other = try await memberToken(client, admin: admin, user: "other", project: "other")
            let network = try await createNetwork(client, demo, name: "demo-net")
            _ = try await createSubnet(client, demo, network: network, cidr: "10.9.0.0/24")
            _ = try await createNetwork(client, admin, name: "admin-net")

            let quota = try await neutron(client, .get, "/quotas/\(demoProject)", demo)
            #expect(quota.status == 200, "\(quota.summary)")
            #expect(quota.value("quota") as? [String: Int] == [
                "network": -1, "subnet": -1, "port": -1, "security_group": -1, "security_group_rule": -1,
            ], "\(quota.summary)")
            let details = try await neutron(client, .get, "/quotas/\(demoProject)/details", admin)
            let own = try await neutron(client, .get, "/quotas/\(demoProject)/details.json", demo)
            #expect(own.value("quota", "network") as? [String: Int] == ["limit": -1, "used": 1, "reserved": 0], "\(own.summary)")
            #expect(details.value("quota", "network") as? [String: Int] == ["limit": -1, "used": 1, "reserved": 0], "\(details.summary)")
            #expect(details.value("quota", "subnet") as? [String: Int] == ["limit": -1, "used": 1, "reserved": 0], "\(details.summary)")
            expectNeutronError(try await neutron(client, .get, "/quotas/\(demoProject)", other), 403, "PolicyNotAuthorized")
            expectNeutronError(try await neutron(client, .get, "/quotas/\(demoProject)/details.json", other), 403, "PolicyNotAuthorized")
        }
    }

    @Test func sharedNetworksAreUsableByEveryProjectButOnlyAdminSharesOrBinds() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            expectNeutronError(
                try await neutron(client, .post, "/networks", demo, ["network": ["name": "x", "shared": true]]), 403, "PolicyNotAuthorized"
            )
            expectNeutronError(
                try await neutron(client, .post, "/networks", demo, ["network": ["name": "x", "router:external": true]]), 403, "PolicyNotAuthorized"
            )
            let shared = try await createNetwork(client, admin, name: "public", extra: ["shared": true])
            let subnet = try await createSubnet(client, admin, network: shared, cidr: "10.9.0.0/24")
            #expect(try await neutron(client, .get, "/networks/\(shared)", demo).status == 200)
            #expect(try await neutron(client, .get, "/subnets/\(subnet)", demo).status == 200)
            let port = try await neutron(client, .post, "/ports", demo, ["port": ["network_id": shared]])
            #expect(port.status == 201, "\(port.summary)")
            let portId = try #require(port.string("port", "id"))
            // Choosing an address, or binding to a host, is for the network's owner or admin.
            let pinned = try await neutron(client, .post, "/ports", demo, ["port": ["network_id": shared, "fixed_ips": [["ip_address": "10.9.0.50"]]]])
            expectNeutronError(pinned, 403, "PolicyNotAuthorized")
            expectNeutronError(
                try await neutron(client, .put, "/ports/\(portId)", demo, ["port": ["binding:host_id": "host-1"]]), 403, "PolicyNotAuthorized"
            )
            let bound = try await neutron(client, .put, "/ports/\(portId)", admin, ["port": ["binding:host_id": "host-1", "device_id": "vm"]])
            #expect(bound.string("port", "binding:host_id") == "host-1")
            #expect(bound.string("port", "status") == "ACTIVE")
            #expect(bound.string("port", "binding:vif_type") != "unbound")
            // The owner may not unshare a network other projects use.
            expectNeutronError(
                try await neutron(client, .put, "/networks/\(shared)", admin, ["network": ["shared": false]]), 409, "InvalidSharedSetting"
            )
            // A demo user may not make objects for another project.
            let foreign = try await neutron(client, .post, "/networks", demo, ["network": ["name": "y", "project_id": "someone-else"]])
            expectNeutronError(foreign, 400, "HTTPBadRequest")
        }
    }

    @Test func readersNeverChangeAnything() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let member = try await memberToken(client, admin: admin, user: "writer", project: "team")
            let network = try await createNetwork(client, member)
            let reader = try await memberToken(client, admin: admin, user: "viewer", project: "team", role: "reader")
            #expect(try await neutron(client, .get, "/networks/\(network)", reader).status == 200)
            expectNeutronError(try await neutron(client, .post, "/networks", reader, ["network": ["name": "r"]]), 403, "PolicyNotAuthorized")
            expectNeutronError(try await neutron(client, .put, "/networks/\(network)", reader, ["network": ["name": "r"]]), 403, "PolicyNotAuthorized")
            expectNeutronError(try await neutron(client, .delete, "/networks/\(network)", reader), 403, "PolicyNotAuthorized")
            expectNeutronError(try await neutron(client, .post, "/ports", reader, ["port": ["network_id": network]]), 403, "PolicyNotAuthorized")
            expectNeutronError(
                try await neutron(client, .post, "/security-groups", reader, ["security_group": ["name": "r"]]), 403, "PolicyNotAuthorized"
            )
        }
    }
}
