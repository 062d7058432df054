public import StratusCore

/// What the API, the compute hosts and the console proxies ask of the conductor (Nova's `conductor/rpcapi.py`).
public struct ConductorRPCAPI: Sendable {
    let rpc: RPCClient
    var casts: any CastSink

    public init(_ rpc: RPCClient) {
        self.rpc = rpc
        casts = rpc
    }

    /// The same API with its casts written to `outbox` (a transaction's).
    public func casting(into outbox: any CastSink) -> ConductorRPCAPI {
        var api = self
        api.casts = outbox
        return api
    }

    // MARK: From the API

    /// Schedules and builds new instances (one boot request), or unshelves one.
    public func buildInstances(_ ids: [InstanceID], credentials: Credentials) async throws {
        try await cast(BuildInstances(instanceIds: ids, credentials: credentials), requestId: credentials.requestId)
    }

    public func resize(_ id: InstanceID, to flavor: InstanceFlavor, reverting: Bool, credentials: Credentials) async throws {
        try await cast(ResizeInstance(instanceId: id, flavor: flavor, reverting: reverting, credentials: credentials), requestId: credentials.requestId)
    }

    public func liveMigrate(_ id: InstanceID, to host: String?, credentials: Credentials) async throws {
        try await cast(LiveMigrateInstance(instanceId: id, host: host, credentials: credentials), requestId: credentials.requestId)
    }

    public func migrate(_ id: InstanceID, to host: String?, credentials: Credentials) async throws {
        try await cast(MigrateInstance(instanceId: id, host: host, credentials: credentials), requestId: credentials.requestId)
    }

    public func evacuate(_ id: InstanceID, to host: String?, stopped: Bool, credentials: Credentials) async throws {
        try await cast(EvacuateInstance(instanceId: id, host: host, stopped: stopped, credentials: credentials), requestId: credentials.requestId)
    }

    /// Confirms (`confirm`) or reverts a cold migration waiting in VERIFY_RESIZE.
    public func finishColdMigration(_ id: InstanceID, confirm: Bool, credentials: Credentials) async throws {
        try await cast(FinishColdMigration(instanceId: id, confirm: confirm, credentials: credentials), requestId: credentials.requestId)
    }

    // MARK: From compute hosts

    /// The source's word on a move: the guest went (`error` nil) or not.
    public func guestSent(_ id: InstanceID, error: String?, credentials: Credentials) async throws {
        try await cast(GuestSent(instanceId: id, error: error, credentials: credentials), requestId: credentials.requestId)
    }

    /// Records the changes if the task state is one of `expected` (nil: whatever it is); whether it did.
    /// Applies `changes` if the task state is one of `expected` (and then records `event`, a build's start or finish).
    public func update(_ id: InstanceID, _ changes: InstanceChanges, expected: [TaskState?]?, recording event: RecordActionEvent? = nil) async throws -> Bool {
        try await rpc.call(UpdateInstance(instanceId: id, changes: changes, expectedTaskStates: expected, event: event), to: Topic.conductor)
    }

    public func buildFailed(_ id: InstanceID, on host: String, reason: String, alternates: [String], credentials: Credentials) async throws {
        try await cast(BuildFailed(instanceId: id, host: host, reason: reason, alternates: alternates, credentials: credentials),
                       requestId: credentials.requestId)
    }

    public func instanceRemoved(_ id: InstanceID, requestId: String?) async throws {
        try await cast(InstanceRemoved(instanceId: id), requestId: requestId)
    }

    public func instanceOffloaded(_ id: InstanceID, requestId: String?) async throws {
        try await cast(InstanceOffloaded(instanceId: id), requestId: requestId)
    }

    public func recordEvent(_ event: InstanceAction.Event, of id: InstanceID, requestId: String) async throws {
        try await cast(RecordActionEvent(instanceId: id, requestId: requestId, event: event), requestId: requestId)
    }

    /// The instances evacuated from `host` while it was down, whose guests it still has.
    public func evacuatedInstances(from host: String) async throws -> [InstanceID] {
        try await rpc.call(EvacuatedInstances(host: host), to: Topic.conductor)
    }

    public func evacuationCleaned(_ ids: [InstanceID], on host: String) async throws {
        try await cast(EvacuationCleaned(host: host, instanceIds: ids), requestId: nil)
    }

    public func reportHost(_ node: ComputeNode) async throws {
        _ = try await rpc.call(ReportHost(node: node), to: Topic.conductor)
    }

    public func instances(on host: String) async throws -> [Instance] {
        try await rpc.call(HostInstances(host: host), to: Topic.conductor)
    }

    // MARK: From console proxies

    /// The console `token` opens, spending the token unless `spend` is false.
    public func openConsole(token: String, type: ConsoleAuthToken.ConsoleType?, spend: Bool) async throws -> ConsoleAuthToken {
        try await rpc.call(OpenConsole(token: token, type: type, spend: spend), to: Topic.conductor)
    }

    private func cast<M: RPCMessage>(_ message: M, requestId: String?) async throws {
        try await casts.cast(message, to: Topic.conductor, requestId: requestId)
    }
}
