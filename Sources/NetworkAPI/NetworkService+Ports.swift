import Database
public import HTTPSupport
import HTTPTypes
public import ServiceClients
public import StratusCore

extension NetworkService {
    /// How often a port change is retried after losing a race for an address or a MAC.
    static let portAttempts = 25

    /// Creates a port with its addresses and groups; a lost race for an address or MAC is retried.
    public func createPort(_ request: PortRequest, auth: AuthContext) async throws -> NetworkPort {
        try Self.requireWriter(auth, rule: "create_port")
        guard let networkId = request.networkId else { throw NeutronError.invalidAttribute("network_id", "'network_id' is required") }
        let owner = try Self.owner(request.projectId, auth)
        let mac = try request.macAddress.map(Self.normalizedMAC)
        return try await retryingRaces { attempt, repository in
            let network = try await Self.visibleNetwork(networkId, auth, in: repository)
            try Self.checkPortPolicy(request, network: network, auth: auth, action: "create_port")
            let portSecurity = request.portSecurityEnabled ?? network.portSecurityEnabled
            var groups = try await validGroups(request.securityGroups, owner: owner, auth: auth, in: repository)
            if request.securityGroups == nil, portSecurity {
                groups = [try await Self.defaultSecurityGroup(of: owner, in: repository, at: now)]
            }
            if !portSecurity, !groups.isEmpty {
                throw NeutronError.make(
                    .badRequest, "PortSecurityAndIPRequiredForSecurityGroups",
                    "Port security must be enabled and port must have an IP address in order to use security groups."
                )
            }
            let address = try await Self.unusedMAC(mac, network: network.id, in: repository)
            var allocator = IPAllocator(
                network: network, subnets: try await repository.subnets(network: network.id), repository: repository, randomize: attempt > 0
            )
            let time = now
            let port = NetworkPort(
                id: .generateUUID(), networkId: network.id, projectId: owner, name: request.name ?? "", description: request.description ?? "",
                adminStateUp: request.adminStateUp ?? true, macAddress: address, deviceId: request.deviceId ?? "",
                deviceOwner: request.deviceOwner ?? "", bindingHostId: request.bindingHostId ?? "", portSecurityEnabled: portSecurity,
                fixedIps: try await allocator.allocate(request.fixedIps), securityGroups: groups, createdAt: time, updatedAt: time
            )
            try await repository.createPort(port)
            return port
        }
    }

    /// The port if the caller may see it (it owns the port or its network); 404 otherwise.
    static func visiblePort(_ id: PortID, _ auth: AuthContext, in repository: any NetworkingRepository) async throws -> (NetworkPort, Network) {
        guard let port = try await repository.port(id), let network = try await repository.network(port.networkId),
            owns(port.projectId, auth) || owns(network.projectId, auth)
        else { throw NeutronError.notFound(.port, id.rawValue) }
        return (port, network)
    }

    public func port(_ id: PortID, auth: AuthContext) async throws -> NetworkPort {
        try await Self.visiblePort(id, auth, in: repository).0
    }

    /// The ports the caller may see; only those of `deviceId` when given (an instance's ports).
    public func ports(deviceId: String? = nil, auth: AuthContext) async throws -> [NetworkPort] {
        let ownedNetworks = Set(try await repository.networks().filter { Self.owns($0.projectId, auth) }.map(\.id))
        return try await repository.ports(network: nil, deviceId: deviceId).filter {
            Self.owns($0.projectId, auth) || ownedNetworks.contains($0.networkId)
        }
    }

    /// Changes a port; new fixed IPs are allocated and dropped ones released in the same transaction.
    public func updatePort(_ id: PortID, _ request: PortRequest, auth: AuthContext) async throws -> NetworkPort {
        if request.networkId != nil {
            throw NeutronError.make(.badRequest, "HTTPBadRequest", "Cannot update read-only attribute network_id")
        }
        let mac = try request.macAddress.map(Self.normalizedMAC)
        return try await retryingRaces { attempt, repository in
            var (port, network) = try await Self.visiblePort(id, auth, in: repository)
            try Self.requireOwner(port.projectId, auth, rule: "update_port")
            try Self.checkPortPolicy(request, network: network, auth: auth, action: "update_port")
            if let mac, mac != port.macAddress { port.macAddress = try await Self.unusedMAC(mac, network: network.id, in: repository) }
            port.name = request.name ?? port.name
            port.description = request.description ?? port.description
            port.adminStateUp = request.adminStateUp ?? port.adminStateUp
            port.deviceId = request.deviceId ?? port.deviceId
            port.deviceOwner = request.deviceOwner ?? port.deviceOwner
            port.bindingHostId = request.bindingHostId ?? port.bindingHostId
            port.portSecurityEnabled = request.portSecurityEnabled ?? port.portSecurityEnabled
            if request.securityGroups != nil {
                port.securityGroups = try await validGroups(request.securityGroups, owner: port.projectId, auth: auth, in: repository)
            }
            if !port.portSecurityEnabled, !port.securityGroups.isEmpty {
                throw NeutronError.make(
                    .conflict, "PortSecurityPortHasSecurityGroup",
                    "Port has security group associated. Cannot disable port security or ip address until security group is removed"
                )
            }
            if let fixedIps = request.fixedIps {
                var allocator = IPAllocator(
                    network: network, subnets: try await repository.subnets(network: network.id), repository: repository,
                    randomize: attempt > 0, reusable: Set(port.fixedIps.map(\.ipAddress))
                )
                port.fixedIps = try await allocator.allocate(fixedIps)
            }
            port.updatedAt = now
            port.revisionNumber += 1
            try await repository.updatePort(port)
            return port
        }
    }

    /// Deletes a port, releasing its addresses.
    public func deletePort(_ id: PortID, auth: AuthContext) async throws {
        try await backend.transaction { tx in
            let (port, network) = try await Self.visiblePort(id, auth, in: tx.networking)
            guard auth.canWrite, Self.owns(port.projectId, auth) || Self.owns(network.projectId, auth) else {
                throw NeutronError.policy("delete_port")
            }
            try await tx.networking.deletePort(id)
        }
    }

    /// Runs `body` in a transaction, again (up to `portAttempts` times) when it loses a race for a unique address or MAC.
    private func retryingRaces<T: Sendable>(
        _ body: @escaping @Sendable (Int, any NetworkingRepository) async throws -> T
    ) async throws -> T {
        for attempt in 0..<Self.portAttempts {
            do {
                return try await backend.transaction { tx in try await body(attempt, tx.networking) }
            } catch DatabaseError.uniqueViolation {
                continue
            }
        }
        throw StratusError.unavailable("Too many concurrent changes to the network's addresses; try again.")
    }

    /// Attributes only admin (binding) or the network's owner (addresses, MAC, port security) may set.
    private static func checkPortPolicy(_ request: PortRequest, network: Network, auth: AuthContext, action: String) throws {
        if request.bindingHostId != nil, !auth.isAdmin { throw NeutronError.policy("\(action):binding:host_id") }
        let networkOwner = owns(network.projectId, auth)
        if request.macAddress != nil, !networkOwner { throw NeutronError.policy("\(action):mac_address") }
        if request.fixedIps?.contains(where: { $0.ipAddress != nil }) == true, !networkOwner {
            throw NeutronError.policy("\(action):fixed_ips:ip_address")
        }
        if request.portSecurityEnabled != nil, !networkOwner { throw NeutronError.policy("\(action):port_security_enabled") }
    }

    /// The groups a port of `owner` may use: each must exist and belong to the owner (any, for admin).
    private func validGroups(
        _ ids: [SecurityGroupID]?, owner: ProjectID, auth: AuthContext, in repository: any NetworkingRepository
    ) async throws -> [SecurityGroupID] {
        var groups: [SecurityGroupID] = []
        for id in ids ?? [] where !groups.contains(id) {
            guard let group = try await repository.securityGroup(id), group.projectId == owner || auth.isAdmin else {
                throw NeutronError.notFound(.securityGroup, id.rawValue)
            }
            groups.append(group.id)
        }
        return groups
    }

    /// `mac`, or a new random one in Neutron's locally administered `fa:16:3e` range; 409 if `mac` is in use.
    private static func unusedMAC(_ mac: String?, network: NetworkID, in repository: any NetworkingRepository) async throws -> String {
        guard let mac else {
            var generator = SystemRandomNumberGenerator()
            let tail = (0..<3).map { _ in hex(UInt8.random(in: 0...255, using: &generator)) }
            return (["fa", "16", "3e"] + tail).joined(separator: ":")
        }
        if try await repository.macAddressInUse(mac) {
            throw NeutronError.make(
                .conflict, "MacAddressInUse", "Unable to complete operation for network \(network). The mac address \(mac) is in use."
            )
        }
        return mac
    }

    /// A unicast MAC written as six hex pairs (`:` or `-` between them), normalized to lowercase with colons.
    static func normalizedMAC(_ text: String) throws -> String {
        let parts = text.split(separator: text.contains("-") ? "-" : ":", omittingEmptySubsequences: false)
        let octets = parts.compactMap { $0.count == 2 ? UInt8($0, radix: 16) : nil }
        guard parts.count == 6, octets.count == 6, octets[0] & 1 == 0, octets.contains(where: { $0 != 0 }) else {
            throw NeutronError.invalidAttribute("mac_address", "'\(text.prefix(32))' is not a valid MAC address")
        }
        return octets.map(hex).joined(separator: ":")
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }
}
