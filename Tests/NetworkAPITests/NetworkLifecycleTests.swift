import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Networks, subnets and ports")
struct NetworkLifecycleTests {
    @Test func versionDocumentNeedsNoTokenAndTheRestDoes() async throws {
        try await TestCloud.with { _, client in
            let versions = try await client.request(.get, "/networking")
            #expect(versions.status == 200)
            let version = try #require((versions.value("versions") as? [[String: Any]])?.first)
            #expect(version["id"] as? String == "v2.0")
            #expect(version["status"] as? String == "CURRENT")
            let unauthenticated = try await client.request(.get, "/networking/v2.0/networks")
            #expect(unauthenticated.status == 401)
            #expect(unauthenticated.neutronType == "HTTPUnauthorized")
        }
    }

    @Test func extensionsListWhatIsImplemented() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let reply = try await neutron(client, .get, "/extensions", token)
            let aliases = Set(reply.list("extensions").compactMap { $0["alias"] as? String })
            #expect(aliases.isSuperset(of: ["security-group", "binding", "port-security", "auto-allocated-topology", "external-net"]))
            #expect(try await neutron(client, .get, "/extensions/binding", token).string("extension", "alias") == "binding")
            expectNeutronError(try await neutron(client, .get, "/extensions/qos", token), 404, "ExtensionNotFound")
        }
    }

    @Test func networkCRUDWithNeutronsFields() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let created = try await neutron(client, .post, "/networks", token, ["network": ["name": "blue", "mtu": 1400]])
            #expect(created.status == 201)
            let id = try #require(created.string("network", "id"))
            let network = try #require(created.value("network") as? [String: Any])
            #expect(network["status"] as? String == "ACTIVE")
            #expect(network["admin_state_up"] as? Bool == true)
            #expect(network["shared"] as? Bool == false)
            #expect(network["router:external"] as? Bool == false)
            #expect(network["mtu"] as? Int == 1400)
            #expect(network["project_id"] as? String == network["tenant_id"] as? String)
            #expect(network["revision_number"] as? Int == 1)

            cloud.clock.advance(seconds: 5)
            let updated = try await neutron(client, .put, "/networks/\(id)", token, ["network": ["name": "green", "admin_state_up": false]])
            #expect(updated.string("network", "name") == "green")
            #expect(updated.value("network", "admin_state_up") as? Bool == false)
            #expect(updated.value("network", "revision_number") as? Int == 2)
            #expect(updated.string("network", "updated_at") != updated.string("network", "created_at"))

            let shown = try await neutron(client, .get, "/networks/\(id)?fields=name&fields=id", token)
            #expect(Set((shown.value("network") as? [String: Any])?.keys.map { $0 } ?? []) == ["id", "name"])

            #expect(try await neutron(client, .delete, "/networks/\(id)", token).status == 204)
            expectNeutronError(try await neutron(client, .get, "/networks/\(id)", token), 404, "NetworkNotFound")
        }
    }

    @Test func subnetDefaultsGatewayAndPoolsAndPortsGetAddressesInOrder() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            let subnetReply = try await neutron(client, .post, "/subnets", token,
                                                ["subnet": ["network_id": network, "cidr": "192.168.50.0/24", "ip_version": 4]])
            #expect(subnetReply.status == 201)
            #expect(subnetReply.string("subnet", "gateway_ip") == "192.168.50.1")
            let pools = subnetReply.value("subnet", "allocation_pools") as? [[String: String]]
            #expect(pools == [["start": "192.168.50.2", "end": "192.168.50.254"]])
            #expect(subnetReply.value("subnet", "ip_version") as? Int == 4)
            let subnet = try #require(subnetReply.string("subnet", "id"))
            #expect((try await neutron(client, .get, "/networks/\(network)", token).value("network", "subnets") as? [String]) == [subnet])

            let first = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]])
            #expect(first.status == 201)
            #expect(addresses(first) == ["192.168.50.2"])
            #expect(first.string("port", "status") == "DOWN")
            let second = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]])
            #expect(addresses(second) == ["192.168.50.3"])

            // A deleted port's address is free again.
            let firstId = try #require(first.string("port", "id"))
            #expect(try await neutron(client, .delete, "/ports/\(firstId)", token).status == 204)
            let third = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]])
            #expect(addresses(third) == ["192.168.50.2"])
        }
    }

    @Test func ipv6SubnetHasNoBroadcastAndPortsGetOneAddressPerVersion() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            _ = try await createSubnet(client, token, network: network, cidr: "10.1.0.0/24")
            let reply = try await neutron(client, .post, "/subnets", token,
                                          ["subnet": ["network_id": network, "cidr": "2001:DB8::/64", "ip_version": 6]])
            #expect(reply.status == 201, "\(reply.summary)")
            #expect(reply.string("subnet", "cidr") == "2001:db8::/64")
            #expect(reply.string("subnet", "gateway_ip") == "2001:db8::1")
            let pools = reply.value("subnet", "allocation_pools") as? [[String: String]]
            #expect(pools == [["start": "2001:db8::2", "end": "2001:db8::ffff:ffff:ffff:ffff"]])
            let port = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]])
            #expect(addresses(port) == ["10.1.0.2", "2001:db8::2"])
        }
    }

    @Test func deletingANetworkWithPortsOrASubnetWithAddressesIsRefused() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            let subnet = try await createSubnet(client, token, network: network, cidr: "10.2.0.0/24")
            let port = try #require(try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]]).string("port", "id"))
            expectNeutronError(try await neutron(client, .delete, "/networks/\(network)", token), 409, "NetworkInUse")
            expectNeutronError(try await neutron(client, .delete, "/subnets/\(subnet)", token), 409, "SubnetInUse")
            #expect(try await neutron(client, .delete, "/ports/\(port)", token).status == 204)
            #expect(try await neutron(client, .delete, "/networks/\(network)", token).status == 204)
            expectNeutronError(try await neutron(client, .get, "/subnets/\(subnet)", token), 404, "SubnetNotFound")
        }
    }

    @Test func listsFilterOnAnyAttributeSortAndPage() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            for name in ["c", "a", "b", "a"] { _ = try await createNetwork(client, token, name: name) }
            let named = try await neutron(client, .get, "/networks?name=a", token)
            #expect(named.list("networks").count == 2)
            let either = try await neutron(client, .get, "/networks?name=a&name=c", token)
            #expect(either.list("networks").count == 3)
            let down = try await neutron(client, .get, "/networks?admin_state_up=false", token)
            #expect(down.list("networks").isEmpty)

            let sorted = try await neutron(client, .get, "/networks?sort_key=name&sort_dir=desc&fields=name", token)
            #expect(sorted.list("networks").compactMap { $0["name"] as? String } == ["c", "b", "a", "a"])
            #expect(sorted.list("networks").allSatisfy { $0.count == 1 })

            // Pages of two, following the `next` links to the end.
            var seen: [String] = []
            var path = "/networks?sort_key=name&limit=2"
            while true {
                let page = try await neutron(client, .get, path, token)
                seen += page.list("networks").compactMap { $0["name"] as? String }
                let links = page.list("networks_links")
                guard let next = links.first(where: { $0["rel"] as? String == "next" })?["href"] as? String else { break }
                path = String(try #require(next.range(of: "/networks?").map { next[$0.lowerBound...] }))
                try #require(seen.count <= 4, "pagination does not end")
            }
            #expect(seen == ["a", "a", "b", "c"])

            expectNeutronError(try await neutron(client, .get, "/networks?colour=red", token), 400, "HTTPBadRequest")
            expectNeutronError(try await neutron(client, .get, "/networks?sort_key=colour", token), 400, "HTTPBadRequest")
        }
    }

    @Test func portsFilterByNetworkDeviceAndFixedIP() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let red = try await createNetwork(client, token, name: "red")
            let blue = try await createNetwork(client, token, name: "blue")
            let redSubnet = try await createSubnet(client, token, network: red, cidr: "10.3.0.0/24")
            _ = try await createSubnet(client, token, network: blue, cidr: "10.4.0.0/24")
            let redPort = try await neutron(client, .post, "/ports", token, ["port": ["network_id": red, "device_id": "vm-1"]])
            _ = try await neutron(client, .post, "/ports", token, ["port": ["network_id": blue, "device_id": "vm-2"]])
            let onRed = try await neutron(client, .get, "/ports?network_id=\(red)", token)
            #expect(onRed.list("ports").compactMap { $0["id"] as? String } == [redPort.string("port", "id")].compactMap { $0 })
            #expect(try await neutron(client, .get, "/ports?device_id=vm-2", token).list("ports").count == 1)
            let byAddress = try await neutron(client, .get, "/ports?fixed_ips=ip_address%3D10.3.0.2&fixed_ips=subnet_id%3D\(redSubnet)", token)
            #expect(byAddress.list("ports").count == 1)
            #expect(try await neutron(client, .get, "/ports?fixed_ips=ip_address%3D10.4.0.9", token).list("ports").isEmpty)
        }
    }
}
