import Database
import ServiceClients
import StratusCore
import HTTPTypes

/// Chooses a port's fixed IPs on its network: requested addresses checked against their subnet, others taken from
/// the subnets' allocation pools, never the network address, IPv4's broadcast or the gateway.
///
/// It only chooses; the `ip_allocations` primary key decides. A port transaction that loses a race for an address
/// fails with a unique violation and is retried with `randomize` set, so that concurrent creators spread out.
struct IPAllocator {
    let network: Network
    /// The network's subnets, in creation order.
    let subnets: [Subnet]
    let repository: any NetworkingRepository
    let randomize: Bool
    /// Addresses the port already holds, which it may keep (on update).
    var reusable: Set<IPAddress> = []
    private var taken: [SubnetID: Set<IPAddress>] = [:]

    init(network: Network, subnets: [Subnet], repository: any NetworkingRepository, randomize: Bool, reusable: Set<IPAddress> = []) {
        self.network = network
        self.subnets = subnets.sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
        self.repository = repository
        self.randomize = randomize
        self.reusable = reusable
    }

    /// The fixed IPs for `requests`; with none, one address of each IP version from the first subnet with room.
    mutating func allocate(_ requests: [PortRequest.FixedIPRequest]?) async throws -> [FixedIP] {
        guard let requests else {
            var result: [FixedIP] = []
            for version in [IPAddress.Version.v4, .v6] {
                let candidates = subnets.filter { $0.ipVersion == version }
                guard !candidates.isEmpty else { continue }
                var chosen: FixedIP?
                for subnet in candidates where chosen == nil {
                    chosen = try await free(in: subnet).map { FixedIP(subnetId: subnet.id, ipAddress: $0) }
                }
                guard let chosen else {
                    throw NeutronError.make(.conflict, "IpAddressGenerationFailure", "No more IP addresses available on network \(network.id).")
                }
                result.append(chosen)
            }
            return result
        }
        var result: [FixedIP] = []
        for request in requests {
            let fixedIP: FixedIP
            switch (request.subnetId, request.ipAddress) {
            case (let subnetId?, nil):
                let subnet = try subnet(subnetId)
                guard let address = try await free(in: subnet) else {
                    throw NeutronError.make(.conflict, "IpAddressGenerationFailure", "No more IP addresses available for subnet \(subnetId).")
                }
                fixedIP = FixedIP(subnetId: subnetId, ipAddress: address)
            case (let subnetId, let address?):
                let subnet: Subnet
                if let subnetId {
                    subnet = try self.subnet(subnetId)
                } else {
                    guard let match = subnets.first(where: { $0.cidr.contains(address) }) else {
                        throw NeutronError.make(
                            .badRequest, "InvalidIpForNetwork",
                            "IP address \(address) is not a valid IP for any of the subnets on the specified network."
                        )
                    }
                    subnet = match
                }
                try await claim(address, in: subnet)
                fixedIP = FixedIP(subnetId: subnet.id, ipAddress: address)
            case (nil, nil):
                throw NeutronError.invalidInput("Each fixed IP needs a subnet_id, an ip_address or both.")
            }
            guard !result.contains(fixedIP) else { throw NeutronError.invalidInput("Duplicate IP address '\(fixedIP.ipAddress)'") }
            result.append(fixedIP)
        }
        return result
    }

    private func subnet(_ id: SubnetID) throws -> Subnet {
        guard let subnet = subnets.first(where: { $0.id == id }) else {
            throw NeutronError.invalidInput("Failed to create port on network \(network.id), because fixed_ips included invalid subnet \(id).")
        }
        return subnet
    }

    /// The addresses in use on `subnet`, read once per allocation and updated with what this one took.
    private mutating func inUse(_ subnet: Subnet) async throws -> Set<IPAddress> {
        if let known = taken[subnet.id] { return known }
        let used = try await repository.allocatedAddresses(subnet: subnet.id).subtracting(reusable)
        taken[subnet.id] = used
        return used
    }

    /// Takes an explicitly requested address: a host address of the subnet, not the gateway, not in use.
    private mutating func claim(_ address: IPAddress, in subnet: Subnet) async throws {
        let cidr = subnet.cidr
        guard cidr.contains(address), address != cidr.first, cidr.version == .v6 || address != cidr.last, address != subnet.gatewayIp else {
            throw NeutronError.make(.badRequest, "InvalidIpForSubnet", "IP address \(address) is not a valid IP for the specified subnet.")
        }
        guard try await !inUse(subnet).contains(address) else {
            throw NeutronError.make(.conflict, "IpAddressAlreadyAllocated", "IP address \(address) already allocated in subnet \(subnet.id)")
        }
        taken[subnet.id, default: []].insert(address)
    }

    /// A free pool address of `subnet` (the first one, or after a lost race one of the first few at random).
    private mutating func free(in subnet: Subnet) async throws -> IPAddress? {
        let used = try await inUse(subnet)
        let wanted = randomize ? 32 : 1
        var candidates: [IPAddress] = []
        for pool in subnet.allocationPools where candidates.count < wanted {
            var address = pool.start
            while candidates.count < wanted {
                if !used.contains(address), address != subnet.gatewayIp { candidates.append(address) }
                guard address < pool.end, let next = address.advanced(by: 1) else { break }
                address = next
            }
        }
        guard let chosen = candidates.randomElement() else { return nil }
        taken[subnet.id, default: []].insert(chosen)
        return chosen
    }
}
