import Database
public import HTTPSupport
import HTTPTypes
public import ServiceClients
public import StratusCore

extension NetworkService {
    /// The project's "get me a network": made on the first request (a network and an IPv4 subnet on the next free block
    /// of the configured pool), the same one afterwards. Concurrent first requests race on the topology's keys; the
    /// loser's transaction is rolled back and it reads the winner's.
    public func autoAllocatedTopology(project: ProjectID, auth: AuthContext) async throws -> AutoAllocatedTopology {
        guard Self.owns(project, auth) else { throw NeutronError.projectNotFound(project.rawValue) }
        if let existing = try await repository.autoAllocatedTopology(project: project) { return existing }
        try Self.requireWriter(auth, rule: "get_auto_allocated_topology")
        try await ensureDefaultSecurityGroup(project: project)
        for _ in 0..<Self.portAttempts {
            do {
                return try await backend.transaction { tx in try await allocateTopology(project: project, in: tx.networking) }
            } catch DatabaseError.uniqueViolation {
                if let existing = try await repository.autoAllocatedTopology(project: project) { return existing }
            }
        }
        throw StratusError.unavailable("Too many concurrent network allocations; try again.")
    }

    private func allocateTopology(project: ProjectID, in repository: any NetworkingRepository) async throws -> AutoAllocatedTopology {
        if let existing = try await repository.autoAllocatedTopology(project: project) { return existing }
        let pool = settings.autoAllocationPool
        let prefix = settings.autoAllocationPrefixLength
        let taken = Set(try await repository.autoAllocatedTopologies().map(\.cidr))
        var index: UInt128 = 0
        var block: IPNetwork?
        while index < pool.subnetCount(prefixLength: prefix), block == nil {
            if let candidate = pool.subnet(index: index, prefixLength: prefix), !taken.contains(candidate) { block = candidate }
            index += 1
        }
        guard let block else {
            throw NeutronError.make(
                .conflict, "AutoAllocationFailure", "Deployment error: every /\(prefix) block of the auto-allocation pool \(pool) is in use."
            )
        }
        let time = now
        let network = Network(
            id: .generateUUID(), projectId: project, name: "auto_allocated_network", mtu: settings.mtu, createdAt: time, updatedAt: time
        )
        try await repository.createNetwork(network)
        let gateway = block.first.advanced(by: 1)
        let subnet = Subnet(
            id: .generateUUID(), networkId: network.id, projectId: project, name: "auto_allocated_subnet_v\(block.version.rawValue)",
            cidr: block, gatewayIp: gateway, allocationPools: try Self.defaultPools(block, excluding: gateway), createdAt: time, updatedAt: time
        )
        try await repository.createSubnet(subnet)
        let topology = AutoAllocatedTopology(projectId: project, networkId: network.id, cidr: block)
        try await repository.createAutoAllocatedTopology(topology)
        return topology
    }

    /// Removes the project's auto-allocated network (refused with `NetworkInUse` while it has ports).
    func deleteAutoAllocatedTopology(project: ProjectID, auth: AuthContext) async throws {
        guard Self.owns(project, auth) else { throw NeutronError.projectNotFound(project.rawValue) }
        try Self.requireWriter(auth, rule: "delete_auto_allocated_topology")
        try await backend.transaction { tx in
            let repository = tx.networking
            guard let topology = try await repository.autoAllocatedTopology(project: project),
                let network = try await repository.network(topology.networkId)
            else { throw NeutronError.make(.notFound, "HTTPNotFound", "Auto allocated topology for project \(project) could not be found.") }
            try await repository.deleteAutoAllocatedTopology(project: project)
            try await Self.removeNetwork(network, in: repository)
        }
    }
}
