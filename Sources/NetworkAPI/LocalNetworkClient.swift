public import ServiceClients
public import StratusCore

/// The network service called directly, in the same process.
public struct LocalNetworkClient: NetworkClient {
    let service: NetworkService

    public init(service: NetworkService) {
        self.service = service
    }

    public func network(_ id: NetworkID, caller: ServiceCaller) async throws -> Network {
        try await service.network(id, auth: caller.auth)
    }

    public func subnets(network: NetworkID, caller: ServiceCaller) async throws -> [Subnet] {
        try await service.subnets(auth: caller.auth).filter { $0.networkId == network }
    }

    public func autoAllocatedNetwork(project: ProjectID, caller: ServiceCaller) async throws -> NetworkID {
        try await service.autoAllocatedTopology(project: project, auth: caller.auth).networkId
    }

    public func createPort(_ request: PortRequest, caller: ServiceCaller) async throws -> NetworkPort {
        try await service.createPort(request, auth: caller.auth)
    }

    public func bindPort(_ id: PortID, host: String, deviceId: String, deviceOwner: String, caller: ServiceCaller) async throws -> NetworkPort {
        try await service.updatePort(id, PortRequest(deviceId: deviceId, deviceOwner: deviceOwner, bindingHostId: host), auth: caller.auth)
    }

    public func ports(deviceId: String, caller: ServiceCaller) async throws -> [NetworkPort] {
        try await service.ports(deviceId: deviceId, auth: caller.auth)
    }

    public func deletePort(_ id: PortID, caller: ServiceCaller) async throws {
        try await service.deletePort(id, auth: caller.auth)
    }

    public func securityGroupIds(named names: [String], project: ProjectID, caller: ServiceCaller) async throws -> [String: SecurityGroupID] {
        let groups = try await service.securityGroups(auth: caller.auth).filter { $0.projectId == project }
        return resolve(names, in: groups.map { ($0.id, $0.name) })
    }
}
