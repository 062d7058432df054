import Database
import HTTPSupport
import HTTPTypes
import ServiceClients
import StratusCore

extension NetworkService {
    static let ipv6Modes: Set<String> = ["slaac", "dhcpv6-stateful", "dhcpv6-stateless"]

    func createSubnet(_ request: SubnetRequest, auth: AuthContext) async throws -> Subnet {
        try Self.requireWriter(auth, rule: "create_subnet")
        let owner = try Self.owner(request.projectId, auth)
        guard let networkId = request.networkId else { throw NeutronError.invalidAttribute("network_id", "'network_id' is required") }
        guard let cidrText = request.cidr else {
            throw NeutronError.make(.badRequest, "BadRequest", "Bad subnets request: a cidr must be specified in the absence of a subnet pool.")
        }
        guard let (cidr, host) = IPNetwork.parse(withHost: cidrText) else {
            throw NeutronError.invalidAttribute("cidr", "'\(cidrText.prefix(64))' is not a valid IP subnet")
        }
        guard host == cidr.address else {
            throw NeutronError.invalidAttribute("cidr", "'\(cidrText.prefix(64))' isn't a recommended CIDR, should be '\(cidr)'")
        }
        guard request.ipVersion == cidr.version.rawValue else {
            throw NeutronError.invalidInput("Cidr \(cidr) does not match ip_version \(request.ipVersion.map(String.init) ?? "None")")
        }
        // At least two host bits: a network address, a gateway and one more.
        guard cidr.prefixLength >= 1, cidr.address.bitWidth - cidr.prefixLength >= 2 else {
            throw NeutronError.invalidInput("Cidr \(cidr) has no room for addresses; use a prefix length from 1 to \(cidr.address.bitWidth - 2).")
        }
        let gateway: IPAddress? = switch request.gatewayIp {
        case .none: cidr.first.advanced(by: 1)
        case .some(let explicit): explicit
        }
        let time = now
        var subnet = Subnet(
            id: .generateUUID(), networkId: networkId, projectId: owner, name: request.name ?? "", description: request.description ?? "",
            cidr: cidr, gatewayIp: gateway, enableDhcp: request.enableDhcp ?? true, allocationPools: [],
            dnsNameservers: request.dnsNameservers ?? [], hostRoutes: request.hostRoutes ?? [], ipv6RaMode: request.ipv6RaMode,
            ipv6AddressMode: request.ipv6AddressMode, createdAt: time, updatedAt: time
        )
        subnet.allocationPools = try request.allocationPools ?? Self.defaultPools(cidr, excluding: gateway)
        let new = subnet
        return try await backend.transaction { tx in
            let repository = tx.networking
            let network = try await Self.visibleNetwork(networkId, auth, in: repository)
            try Self.requireOwner(network.projectId, auth, rule: "create_subnet")
            try await Self.validate(new, in: repository)
            try await repository.createSubnet(new)
            return new
        }
    }

    /// The subnet if the caller may see it (it sees the network, or owns the subnet); 404 otherwise.
    static func visibleSubnet(_ id: SubnetID, _ auth: AuthContext, in repository: any NetworkingRepository) async throws -> Subnet {
        guard let subnet = try await repository.subnet(id) else { throw NeutronError.notFound(.subnet, id.rawValue) }
        if owns(subnet.projectId, auth) { return subnet }
        guard let network = try await repository.network(subnet.networkId), canSee(network, auth) else {
            throw NeutronError.notFound(.subnet, id.rawValue)
        }
        return subnet
    }

    func subnet(_ id: SubnetID, auth: AuthContext) async throws -> Subnet {
        try await Self.visibleSubnet(id, auth, in: repository)
    }

    func subnets(auth: AuthContext) async throws -> [Subnet] {
        let visible = Set(try await networks(auth: auth).map(\.id))
        return try await repository.subnets(network: nil).filter { visible.contains($0.networkId) || Self.owns($0.projectId, auth) }
    }

    func updateSubnet(_ id: SubnetID, _ request: SubnetRequest, auth: AuthContext) async throws -> Subnet {
        for (name, value) in [("network_id", request.networkId?.rawValue), ("cidr", request.cidr), ("ip_version", request.ipVersion.map(String.init))]
        where value != nil {
            throw NeutronError.make(.badRequest, "HTTPBadRequest", "Cannot update read-only attribute \(name)")
        }
        return try await backend.transaction { tx in
            let repository = tx.networking
            var subnet = try await Self.visibleSubnet(id, auth, in: repository)
            try Self.requireOwner(subnet.projectId, auth, rule: "update_subnet")
            subnet.name = request.name ?? subnet.name
            subnet.description = request.description ?? subnet.description
            if let gateway = request.gatewayIp { subnet.gatewayIp = gateway }
            subnet.enableDhcp = request.enableDhcp ?? subnet.enableDhcp
            subnet.allocationPools = request.allocationPools ?? subnet.allocationPools
            subnet.dnsNameservers = request.dnsNameservers ?? subnet.dnsNameservers
            subnet.hostRoutes = request.hostRoutes ?? subnet.hostRoutes
            subnet.updatedAt = now
            subnet.revisionNumber += 1
            try await Self.validate(subnet, in: repository)
            if request.gatewayIp != nil, let gateway = subnet.gatewayIp,
                try await repository.allocatedAddresses(subnet: id).contains(gateway)
            {
                throw NeutronError.make(.conflict, "GatewayIpInUse", "Gateway ip \(gateway) conflicts with an allocated address on subnet \(id).")
            }
            try await repository.updateSubnet(subnet)
            return subnet
        }
    }

    /// Refused with 409 `SubnetInUse` while any port has an address from it.
    func deleteSubnet(_ id: SubnetID, auth: AuthContext) async throws {
        try await backend.transaction { tx in
            let repository = tx.networking
            let subnet = try await Self.visibleSubnet(id, auth, in: repository)
            try Self.requireOwner(subnet.projectId, auth, rule: "delete_subnet")
            guard try await repository.allocatedAddresses(subnet: id).isEmpty else {
                throw NeutronError.make(
                    .conflict, "SubnetInUse",
                    "Unable to complete operation on subnet \(id): One or more ports have an IP allocation from this subnet."
                )
            }
            try await repository.deleteSubnet(id)
        }
    }

    /// Neutron's default pools: every host address but the network's, IPv4's broadcast and the gateway.
    static func defaultPools(_ cidr: IPNetwork, excluding gateway: IPAddress?) throws -> [Subnet.AllocationPool] {
        guard let first = cidr.first.advanced(by: 1) else { return [] }
        let last = cidr.version == .v4 ? IPAddress(version: .v4, value: cidr.last.value - 1) : cidr.last
        guard first <= last else { return [] }
        guard let gateway, first <= gateway, gateway <= last else { return [.init(start: first, end: last)] }
        var pools: [Subnet.AllocationPool] = []
        if gateway > first { pools.append(.init(start: first, end: IPAddress(version: gateway.version, value: gateway.value - 1))) }
        if gateway < last, let after = gateway.advanced(by: 1) { pools.append(.init(start: after, end: last)) }
        return pools
    }

    /// The checks a subnet passes before it is stored: versions agree, the gateway and pools lie in the CIDR
    /// and apart from each other, and no other subnet of the network overlaps it.
    static func validate(_ subnet: Subnet, in repository: any NetworkingRepository) async throws {
        let cidr = subnet.cidr
        if let gateway = subnet.gatewayIp {
            guard gateway.version == cidr.version, cidr.contains(gateway), gateway != cidr.first,
                cidr.version == .v6 || gateway != cidr.last
            else {
                throw NeutronError.invalidInput("Gateway is not valid on subnet: \(gateway) is not a host address of \(cidr).")
            }
        }
        let pools = subnet.allocationPools
        for pool in pools {
            guard pool.start.version == cidr.version, pool.end.version == cidr.version, pool.start <= pool.end else {
                throw NeutronError.make(.badRequest, "InvalidAllocationPool", "The allocation pool \(pool.start)-\(pool.end) is not valid.")
            }
            guard cidr.contains(pool.start), cidr.contains(pool.end), pool.start != cidr.first,
                cidr.version == .v6 || pool.end != cidr.last
            else {
                throw NeutronError.make(
                    .badRequest, "OutOfBoundsAllocationPool", "The allocation pool \(pool.start)-\(pool.end) spans beyond the subnet cidr \(cidr)."
                )
            }
            if let gateway = subnet.gatewayIp, pool.start <= gateway, gateway <= pool.end {
                throw NeutronError.make(
                    .conflict, "GatewayConflictWithAllocationPools", "Gateway ip \(gateway) conflicts with allocation pool \(pool.start)-\(pool.end)"
                )
            }
        }
        for (index, pool) in pools.enumerated() {
            for other in pools[(index + 1)...] where pool.start <= other.end && other.start <= pool.end {
                throw NeutronError.make(
                    .conflict, "OverlappingAllocationPools",
                    "Found overlapping allocation pools: \(pool.start)-\(pool.end) and \(other.start)-\(other.end) for subnet \(cidr)."
                )
            }
        }
        for nameserver in subnet.dnsNameservers where nameserver.version != cidr.version {
            throw NeutronError.invalidInput("DNS nameserver \(nameserver) is not an IPv\(cidr.version.rawValue) address.")
        }
        for route in subnet.hostRoutes where route.destination.version != cidr.version || route.nexthop.version != cidr.version {
            throw NeutronError.invalidInput("Host route \(route.destination) via \(route.nexthop) does not match the subnet's IP version.")
        }
        if subnet.ipVersion == .v4, subnet.ipv6RaMode != nil || subnet.ipv6AddressMode != nil {
            throw NeutronError.invalidInput("ipv6_ra_mode or ipv6_address_mode cannot be set when enable_dhcp is set to False or ip_version is 4.")
        }
        for other in try await repository.subnets(network: subnet.networkId) where other.id != subnet.id && other.cidr.overlaps(cidr) {
            throw NeutronError.invalidInput(
                "Requested subnet with cidr: \(cidr) for network: \(subnet.networkId) overlaps with another subnet"
            )
        }
    }
}
