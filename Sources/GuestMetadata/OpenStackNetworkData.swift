import StratusCore

/// `openstack/<version>/network_data.json`: Nova's links (one per NIC), networks (one per fixed address) and services.
struct OpenStackNetworkData: Encodable {
    struct Link: Encodable {
        var id: String
        var vifId: String
        var type: String
        var ethernetMacAddress: String
        var mtu: Int?

        enum CodingKeys: String, CodingKey {
            case id, type, mtu
            case vifId = "vif_id"
            case ethernetMacAddress = "ethernet_mac_address"
        }

        /// `mtu` is null when unknown, as Nova writes it.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(vifId, forKey: .vifId)
            try container.encode(type, forKey: .type)
            try container.encode(ethernetMacAddress, forKey: .ethernetMacAddress)
            try container.encode(mtu, forKey: .mtu)
        }
    }

    struct Route: Encodable {
        var network: String
        var netmask: String
        var gateway: String
    }

    struct Service: Encodable, Equatable {
        var type: String
        var address: String
    }

    struct Network: Encodable {
        var id: String
        var type: String
        var link: String
        var ipAddress: String
        var netmask: String?
        var routes: [Route]
        var networkId: String
        var services: [Service]

        enum CodingKeys: String, CodingKey {
            case id, type, link, netmask, routes, services
            case ipAddress = "ip_address"
            case networkId = "network_id"
        }
    }

    var links: [Link] = []
    var networks: [Network] = []
    var services: [Service] = []

    init(_ instance: Instance, details: [NetworkID: NetworkDetails]) {
        for vif in instance.networkInfo {
            let known = details[vif.networkId]
            // Nova names the guest's device after the port: "tap" and the first 11 characters of its id.
            let link = Link(
                id: "tap" + vif.portId.rawValue.prefix(11), vifId: vif.portId.rawValue, type: "ethernet",
                ethernetMacAddress: vif.macAddress, mtu: known?.mtu
            )
            links.append(link)
            for address in vif.fixedIps {
                let subnet = known?.subnet(containing: address)
                let dns = (subnet?.dnsNameservers ?? []).map { Service(type: "dns", address: $0.description) }
                networks.append(Network(
                    id: "network\(networks.count)", type: "ipv\(address.version.rawValue)", link: link.id,
                    ipAddress: address.description, netmask: subnet?.cidr.netmask.description, routes: subnet.map(Self.routes) ?? [],
                    networkId: vif.networkId.rawValue, services: dns
                ))
                let new = dns.filter { !services.contains($0) }
                services += new
            }
        }
    }

    /// The default route through the gateway, then the subnet's host routes.
    static func routes(_ subnet: Subnet) -> [Route] {
        let everywhere = IPNetwork(address: IPAddress(version: subnet.ipVersion, value: 0), prefixLength: 0)!
        let gateway = subnet.gatewayIp.map {
            Route(network: everywhere.address.description, netmask: everywhere.netmask.description, gateway: $0.description)
        }
        let host = subnet.hostRoutes.map {
            Route(network: $0.destination.address.description, netmask: $0.destination.netmask.description, gateway: $0.nexthop.description)
        }
        return (gateway.map { [$0] } ?? []) + host
    }
}
