public import StratusCore

/// What the compute side asks of the network service for an instance, on behalf of the instance's user:
/// in-process in all-in-one (`LocalNetworkClient`), over HTTP in the distributed mode (`HTTPNetworkClient`).
/// Both answer with the same records and throw the same Neutron faults.
public protocol NetworkClient: Sendable {
    /// A network the caller may use; `NetworkNotFound` otherwise.
    func network(_ id: NetworkID, caller: ServiceCaller) async throws -> Network
    /// The subnets of a network the caller may use.
    func subnets(network: NetworkID, caller: ServiceCaller) async throws -> [Subnet]
    /// The project's "get me a network" (Nova's `networks: "auto"`), made on first use.
    func autoAllocatedNetwork(project: ProjectID, caller: ServiceCaller) async throws -> NetworkID
    /// A new port; `request.networkId` is required.
    func createPort(_ request: PortRequest, caller: ServiceCaller) async throws -> NetworkPort
    /// Binds the port to a compute host and device, which makes it `ACTIVE` (binding needs an admin caller).
    func bindPort(_ id: PortID, host: String, deviceId: String, deviceOwner: String, caller: ServiceCaller) async throws -> NetworkPort
    /// An instance's ports.
    func ports(deviceId: String, caller: ServiceCaller) async throws -> [NetworkPort]
    func deletePort(_ id: PortID, caller: ServiceCaller) async throws
    /// The ids of the project's security groups with these names (or ids), as Nova resolves a boot's
    /// `security_groups`; a name that matches none is left out of the answer.
    func securityGroupIds(named names: [String], project: ProjectID, caller: ServiceCaller) async throws -> [String: SecurityGroupID]
}

extension NetworkClient {
    /// Each of `names` that is the name or id of one of `groups`, with that group's id.
    public func resolve(_ names: [String], in groups: [(id: SecurityGroupID, name: String)]) -> [String: SecurityGroupID] {
        var found: [String: SecurityGroupID] = [:]
        for name in names {
            if let group = groups.first(where: { $0.id.rawValue == name }) ?? groups.first(where: { $0.name == name }) { found[name] = group.id }
        }
        return found
    }
}
