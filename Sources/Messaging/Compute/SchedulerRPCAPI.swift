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
}
