import HTTPSupport
import ServiceClients
import StratusCore

/// The wire form of each resource: Neutron's attribute names and value shapes, as dictionaries so that list
/// requests can filter on any attribute and pick `fields`.
enum Views {
    static func network(_ network: Network, subnets: [SubnetID]) -> [String: JSONValue] {
        var view = standard(id: network.id.rawValue, project: network.projectId, name: network.name, description: network.description,
                            created: network.createdAt, updated: network.updatedAt, revision: network.revisionNumber)
        view["admin_state_up"] = .bool(network.adminStateUp)
        view["availability_zone_hints"] = .array([])
        view["availability_zones"] = .array([.string("nova")])
        view["ipv4_address_scope"] = .null
        view["ipv6_address_scope"] = .null
        view["is_default"] = .bool(false)
        view["l2_adjacency"] = .bool(true)
        view["mtu"] = int(network.mtu)
        view["port_security_enabled"] = .bool(network.portSecurityEnabled)
        view["router:external"] = .bool(network.external)
        view["shared"] = .bool(network.shared)
        view["status"] = .string("ACTIVE")
        view["subnets"] = .array(subnets.map { .string($0.rawValue) })
        return view
    }

    static func subnet(_ subnet: Subnet) -> [String: JSONValue] {
        var view = standard(id: subnet.id.rawValue, project: subnet.projectId, name: subnet.name, description: subnet.description,
                            created: subnet.createdAt, updated: subnet.updatedAt, revision: subnet.revisionNumber)
        view["allocation_pools"] = .array(subnet.allocationPools.map {
            .object(["start": .string($0.start.description), "end": .string($0.end.description)])
        })
        view["cidr"] = .string(subnet.cidr.description)
        view["dns_nameservers"] = .array(subnet.dnsNameservers.map { .string($0.description) })
        view["enable_dhcp"] = .bool(subnet.enableDhcp)
        view["gateway_ip"] = subnet.gatewayIp.map { .string($0.description) } ?? .null
        view["host_routes"] = .array(subnet.hostRoutes.map {
            .object(["destination": .string($0.destination.description), "nexthop": .string($0.nexthop.description)])
        })
        view["ip_version"] = int(subnet.ipVersion.rawValue)
        view["ipv6_address_mode"] = subnet.ipv6AddressMode.map(JSONValue.string) ?? .null
        view["ipv6_ra_mode"] = subnet.ipv6RaMode.map(JSONValue.string) ?? .null
        view["network_id"] = .string(subnet.networkId.rawValue)
        view["segment_id"] = .null
        view["service_types"] = .array([])
        view["subnetpool_id"] = .null
        return view
    }

    static func port(_ port: NetworkPort) -> [String: JSONValue] {
        var view = standard(id: port.id.rawValue, project: port.projectId, name: port.name, description: port.description,
                            created: port.createdAt, updated: port.updatedAt, revision: port.revisionNumber)
        view["admin_state_up"] = .bool(port.adminStateUp)
        view["allowed_address_pairs"] = .array([])
        view["binding:host_id"] = .string(port.bindingHostId)
        view["binding:profile"] = .object([:])
        view["binding:vif_details"] = .object([:])
        view["binding:vif_type"] = .string(port.bindingHostId.isEmpty ? "unbound" : "tap")
        view["binding:vnic_type"] = .string("normal")
        view["device_id"] = .string(port.deviceId)
        view["device_owner"] = .string(port.deviceOwner)
        view["extra_dhcp_opts"] = .array([])
        view["fixed_ips"] = .array(port.fixedIps.map {
            .object(["subnet_id": .string($0.subnetId.rawValue), "ip_address": .string($0.ipAddress.description)])
        })
        view["mac_address"] = .string(port.macAddress)
        view["network_id"] = .string(port.networkId.rawValue)
        view["port_security_enabled"] = .bool(port.portSecurityEnabled)
        view["security_groups"] = .array(port.securityGroups.map { .string($0.rawValue) })
        view["status"] = .string(port.status)
        return view
    }

    static func securityGroup(_ group: SecurityGroup, rules: [SecurityGroupRule], isDefault: Bool) -> [String: JSONValue] {
        var view = standard(id: group.id.rawValue, project: group.projectId, name: group.name, description: group.description,
                            created: group.createdAt, updated: group.updatedAt, revision: group.revisionNumber)
        view["security_group_rules"] = .array(rules.map { .object(rule($0, inDefaultGroup: isDefault)) })
        view["shared"] = .bool(false)
        view["stateful"] = .bool(group.stateful)
        return view
    }

    static func rule(_ rule: SecurityGroupRule, inDefaultGroup: Bool) -> [String: JSONValue] {
        var view = standard(id: rule.id.rawValue, project: rule.projectId, name: nil, description: rule.description,
                            created: rule.createdAt, updated: rule.updatedAt, revision: rule.revisionNumber)
        view["belongs_to_default_sg"] = .bool(inDefaultGroup)
        view["direction"] = .string(rule.direction.rawValue)
        view["ethertype"] = .string(rule.ethertype.rawValue)
        view["normalized_cidr"] = rule.remoteIpPrefix.map { .string($0.description) } ?? .null
        view["port_range_max"] = rule.portRangeMax.map(int) ?? .null
        view["port_range_min"] = rule.portRangeMin.map(int) ?? .null
        view["protocol"] = rule.protocol.map(JSONValue.string) ?? .null
        view["remote_address_group_id"] = .null
        view["remote_group_id"] = rule.remoteGroupId.map { .string($0.rawValue) } ?? .null
        view["remote_ip_prefix"] = rule.remoteIpPrefix.map { .string($0.description) } ?? .null
        view["security_group_id"] = .string(rule.securityGroupId.rawValue)
        return view
    }

    /// The attributes every Neutron resource has: id, owner (under both names), timestamps, revision, tags.
    private static func standard(
        id: String, project: ProjectID, name: String?, description: String, created: Timestamp, updated: Timestamp, revision: Int
    ) -> [String: JSONValue] {
        var view: [String: JSONValue] = [
            "id": .string(id),
            "project_id": .string(project.rawValue),
            "tenant_id": .string(project.rawValue),
            "description": .string(description),
            "created_at": .string(created.iso8601Seconds),
            "updated_at": .string(updated.iso8601Seconds),
            "revision_number": int(revision),
            "tags": .array([]),
        ]
        if let name { view["name"] = .string(name) }
        return view
    }

    static func int(_ value: Int) -> JSONValue { .number(Double(value)) }

    /// Each resource's attribute names (what may be filtered and sorted on): the keys of a rendered sample.
    static let networkAttributes = attributes(of: network(Network(id: "", projectId: "", name: "", mtu: 0, createdAt: zero, updatedAt: zero), subnets: []))
    static let subnetAttributes = attributes(of: subnet(Subnet(
        id: "", networkId: "", projectId: "", name: "", cidr: IPNetwork(address: IPAddress(version: .v4, value: 0), prefixLength: 0)!,
        gatewayIp: nil, allocationPools: [], createdAt: zero, updatedAt: zero
    )))
    static let portAttributes = attributes(of: port(NetworkPort(id: "", networkId: "", projectId: "", macAddress: "", createdAt: zero, updatedAt: zero)))
    static let securityGroupAttributes = attributes(of: securityGroup(
        SecurityGroup(id: "", projectId: "", name: "", createdAt: zero, updatedAt: zero), rules: [], isDefault: false
    ))
    static let ruleAttributes = attributes(of: rule(
        SecurityGroupRule(id: "", securityGroupId: "", projectId: "", direction: .ingress, ethertype: .ipv4, createdAt: zero, updatedAt: zero),
        inDefaultGroup: false
    ))
    private static let zero = Timestamp(rawValue: 0)

    private static func attributes(of view: [String: JSONValue]) -> Set<String> { Set(view.keys) }
}
