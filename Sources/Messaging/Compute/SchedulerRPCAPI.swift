public import StratusCore

/// What the conductor asks of the scheduler (Nova's `scheduler/rpcapi.py`).
public struct SchedulerRPCAPI: Sendable {
    let rpc: RPCClient

    public init(_ rpc: RPCClient) {
        self.rpc = rpc
    }

    /// A host chosen and claimed for each instance of one request (their request specs say what they need).
    public func selectDestinations(_ ids: [InstanceID], requestId: String?) async throws -> [HostSelection] {
        try await rpc.call(SelectDestinations(instanceIds: ids), to: Topic.scheduler, requestId: requestId)
    }

    /// A new host for an instance that runs on `source`: `host` when given and fit, else the best other one; claimed
    /// for the instance (the source's claim must be moved to the migration first).
    public func selectDestination(moving id: InstanceID, from source: String, to host: String?, requestId: String?) async throws -> HostSelection? {
        try await rpc.call(SelectDestinations(instanceIds: [id], ignoreHosts: [source], host: host), to: Topic.scheduler, requestId: requestId).first
    }
}
