public import Database
import HTTPSupport
import HTTPTypes
import ServiceClients
public import StratusCore

/// What an operator sets for the network service.
public struct NetworkSettings: Sendable {
    /// The MTU of new networks.
    public var mtu: Int
    /// The block "get me a network" carves project networks from, `autoAllocationPrefixLength` bits each.
    public var autoAllocationPool: IPNetwork
    public var autoAllocationPrefixLength: Int

    public static let defaultAutoAllocationPool = IPNetwork("10.0.0.0/16")!

    public init(mtu: Int = 1500, autoAllocationPool: IPNetwork = defaultAutoAllocationPool, autoAllocationPrefixLength: Int = 24) {
        self.mtu = mtu
        self.autoAllocationPool = autoAllocationPool
        self.autoAllocationPrefixLength = autoAllocationPrefixLength
    }
}

/// The network service's operations with Neutron's policy: objects belong to projects; shared and external
/// networks are visible to all; what another project owns is a 404; readers never change anything.
///
/// The HTTP controllers and the in-process client for other services both call it.
public struct NetworkService: Sendable {
    let backend: any SQLBackend
    let clock: any WallClock
    let settings: NetworkSettings

    public init(backend: any SQLBackend, clock: any WallClock, settings: NetworkSettings) {
        self.backend = backend
        self.clock = clock
        self.settings = settings
    }

    var repository: any NetworkingRepository { backend.networking }
    var now: Timestamp { Timestamp(clock.now()) }

    // MARK: Policy

    /// 403 unless the caller may change things at all (a reader may not).
    static func requireWriter(_ auth: AuthContext, rule: String) throws {
        guard auth.canWrite else { throw NeutronError.policy(rule) }
    }

    static func owns(_ project: ProjectID, _ auth: AuthContext) -> Bool {
        auth.isAdmin || project == auth.projectId
    }

    static func canSee(_ network: Network, _ auth: AuthContext) -> Bool {
        owns(network.projectId, auth) || network.shared || network.external
    }

    /// The network if the caller may see it; 404 otherwise.
    static func visibleNetwork(_ id: NetworkID, _ auth: AuthContext, in repository: any NetworkingRepository) async throws -> Network {
        guard let network = try await repository.network(id), canSee(network, auth) else { throw NeutronError.notFound(.network, id.rawValue) }
        return network
    }

    /// The owner of an object may change it, and admin; others see a 403 if they can see it.
    static func requireOwner(_ project: ProjectID, _ auth: AuthContext, rule: String) throws {
        guard owns(project, auth), auth.canWrite else { throw NeutronError.policy(rule) }
    }

    /// The project a new object belongs to: the caller's, or (admin only) the one the request names.
    static func owner(_ requested: ProjectID?, _ auth: AuthContext) throws -> ProjectID {
        if let requested, requested != auth.projectId {
            guard auth.isAdmin else {
                throw NeutronError.make(
                    .badRequest, "HTTPBadRequest",
                    "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin privileges"
                )
            }
            return requested
        }
        guard let project = auth.projectId else {
            throw NeutronError.make(.badRequest, "HTTPBadRequest", "A project-scoped token or 'project_id' is required.")
        }
        return project
    }

    // MARK: Networks

    func createNetwork(_ request: NetworkRequest, auth: AuthContext) async throws -> Network {
        try Self.requireWriter(auth, rule: "create_network")
        let owner = try Self.owner(request.projectId, auth)
        if request.shared == true, !auth.isAdmin { throw NeutronError.policy("create_network:shared") }
        if request.external == true, !auth.isAdmin { throw NeutronError.policy("create_network:router:external") }
        let time = now
        let network = Network(
            id: .generateUUID(), projectId: owner, name: request.name ?? "", description: request.description ?? "",
            adminStateUp: request.adminStateUp ?? true, shared: request.shared ?? false, external: request.external ?? false,
            mtu: request.mtu ?? settings.mtu, portSecurityEnabled: request.portSecurityEnabled ?? true, createdAt: time, updatedAt: time
        )
        try await repository.createNetwork(network)
        return network
    }

    func network(_ id: NetworkID, auth: AuthContext) async throws -> Network {
        try await Self.visibleNetwork(id, auth, in: repository)
    }

    func networks(auth: AuthContext) async throws -> [Network] {
        try await repository.networks().filter { Self.canSee($0, auth) }
    }

    func updateNetwork(_ id: NetworkID, _ request: NetworkRequest, auth: AuthContext) async throws -> Network {
        try await backend.transaction { tx in
            let repository = tx.networking
            var network = try await Self.visibleNetwork(id, auth, in: repository)
            try Self.requireOwner(network.projectId, auth, rule: "update_network")
            if request.shared != nil, !auth.isAdmin { throw NeutronError.policy("update_network:shared") }
            if request.external != nil, !auth.isAdmin { throw NeutronError.policy("update_network:router:external") }
            if network.shared, request.shared == false,
                try await repository.ports(network: id, deviceId: nil).contains(where: { $0.projectId != network.projectId })
            {
                throw NeutronError.make(
                    .conflict, "InvalidSharedSetting",
                    "Unable to reconfigure sharing settings for network \(id). Multiple tenants are using it."
                )
            }
            network.name = request.name ?? network.name
            network.description = request.description ?? network.description
            network.adminStateUp = request.adminStateUp ?? network.adminStateUp
            network.shared = request.shared ?? network.shared
            network.external = request.external ?? network.external
            network.mtu = request.mtu ?? network.mtu
            network.portSecurityEnabled = request.portSecurityEnabled ?? network.portSecurityEnabled
            network.updatedAt = now
            network.revisionNumber += 1
            try await repository.updateNetwork(network)
            return network
        }
    }

    /// Refused with 409 `NetworkInUse` while ports remain; its subnets go with it.
    func deleteNetwork(_ id: NetworkID, auth: AuthContext) async throws {
        try await backend.transaction { tx in
            let repository = tx.networking
            let network = try await Self.visibleNetwork(id, auth, in: repository)
            try Self.requireOwner(network.projectId, auth, rule: "delete_network")
            try await Self.removeNetwork(network, in: repository)
        }
    }

    static func removeNetwork(_ network: Network, in repository: any NetworkingRepository) async throws {
        guard try await repository.ports(network: network.id, deviceId: nil).isEmpty else {
            throw NeutronError.make(
                .conflict, "NetworkInUse",
                "Unable to complete operation on network \(network.id). There are one or more ports still in use on the network."
            )
        }
        for subnet in try await repository.subnets(network: network.id) { try await repository.deleteSubnet(subnet.id) }
        try await repository.deleteNetwork(network.id)
    }

    /// The ids of every network's subnets, for the networks' `subnets` attribute.
    func subnetIds() async throws -> [NetworkID: [SubnetID]] {
        Dictionary(grouping: try await repository.subnets(network: nil), by: \.networkId).mapValues { $0.map(\.id) }
    }
}
