public import StratusCore

/// What the control plane asks of a compute host (Nova's `compute/rpcapi.py`): one method per message, each sent to
/// `compute.<host>`.
public struct ComputeRPCAPI: Sendable {
    let rpc: RPCClient
    var casts: any CastSink

    public init(_ rpc: RPCClient) {
        self.rpc = rpc
        casts = rpc
    }

    /// The same API with its casts written to `outbox` (a transaction's).
    public func casting(into outbox: any CastSink) -> ComputeRPCAPI {
        var api = self
        api.casts = outbox
        return api
    }

    /// Builds the instance (its resources claimed there) on `host`; also an unshelve.
    public func buildAndRunInstance(_ instance: Instance, on host: String, alternates: [String], credentials: Credentials) async throws {
        try await cast(BuildAndRunInstance(instance: instance, alternates: alternates, credentials: credentials), to: host, credentials)
    }

    public func operate(
        _ operation: OperateInstance.Operation, _ id: InstanceID, on host: String, credentials: Credentials, volumes: [InstanceVolumeAttachment] = []
    ) async throws {
        try await cast(OperateInstance(instanceId: id, operation: operation, credentials: credentials, volumes: volumes), to: host, credentials)
    }

    public func resize(_ instance: Instance, on host: String, to flavor: InstanceFlavor, reverting: Bool, credentials: Credentials) async throws {
        try await cast(ResizeGuest(instance: instance, flavor: flavor, reverting: reverting, credentials: credentials), to: host, credentials)
    }

    public func snapshot(_ id: InstanceID, on host: String, into image: ImageID, credentials: Credentials) async throws {
        try await cast(SnapshotInstance(instanceId: id, imageId: image, credentials: credentials), to: host, credentials)
    }

    public func rebuild(_ instance: Instance, on host: String, credentials: Credentials) async throws {
        try await cast(RebuildGuest(instance: instance, credentials: credentials), to: host, credentials)
    }

    public func shelve(_ id: InstanceID, on host: String, into image: ImageID, credentials: Credentials) async throws {
        try await cast(ShelveInstance(instanceId: id, imageId: image, credentials: credentials), to: host, credentials)
    }

    public func attachVolume(
        _ volume: VolumeID, to id: InstanceID, on host: String, attachment: AttachmentID, device: String, credentials: Credentials
    ) async throws {
        _ = try await rpc.call(
            AttachVolume(instanceId: id, volumeId: volume, attachmentId: attachment, device: device, credentials: credentials),
            to: Topic.compute(host), requestId: credentials.requestId
        )
    }

    public func detachVolume(_ volume: VolumeID, from id: InstanceID, on host: String, attachment: AttachmentID, credentials: Credentials) async throws {
        _ = try await rpc.call(
            DetachVolume(instanceId: id, volumeId: volume, attachmentId: attachment, credentials: credentials),
            to: Topic.compute(host), requestId: credentials.requestId
        )
    }

    public func consoleOutput(_ id: InstanceID, on host: String, length: Int?) async throws -> String {
        try await rpc.call(GetConsoleOutput(instanceId: id, length: length), to: Topic.compute(host))
    }

    public func remoteConsole(_ id: InstanceID, on host: String, kind: RemoteConsole.Kind) async throws -> RemoteConsole {
        try await rpc.call(GetRemoteConsole(instanceId: id, kind: kind), to: Topic.compute(host))
    }

    public func uptime(of host: String) async throws -> String {
        try await rpc.call(GetHostUptime(), to: Topic.compute(host))
    }

    // MARK: Moves to another host

    /// On the destination: the guest waits for its state; where the source sends it.
    public func prepareMigration(_ instance: Instance, on destination: String, credentials: Credentials) async throws -> String {
        try await rpc.call(PrepareMigration(instance: instance, credentials: credentials), to: Topic.compute(destination), requestId: credentials.requestId)
    }

    /// On the source: send the guest to `destination`, waiting at `uri`.
    public func sendGuest(_ id: InstanceID, from source: String, to destination: String, uri: String, live: Bool, credentials: Credentials) async throws {
        try await cast(SendGuest(instanceId: id, destination: destination, uri: uri, live: live, credentials: credentials), to: source, credentials)
    }

    public func takeOverGuest(_ instance: Instance, on destination: String, live: Bool, powerOn: Bool, credentials: Credentials) async throws {
        try await cast(TakeOverGuest(instance: instance, live: live, powerOn: powerOn, credentials: credentials), to: destination, credentials)
    }

    public func revertGuest(_ instance: Instance, on source: String, powerOn: Bool, credentials: Credentials) async throws {
        try await cast(RevertGuest(instance: instance, powerOn: powerOn, credentials: credentials), to: source, credentials)
    }

    public func rebuildEvacuated(_ instance: Instance, on destination: String, stopped: Bool, credentials: Credentials) async throws {
        try await cast(RebuildEvacuated(instance: instance, stopped: stopped, credentials: credentials), to: destination, credentials)
    }

    public func removeMovedGuest(_ id: InstanceID, on host: String, credentials: Credentials) async throws {
        try await cast(RemoveMovedGuest(instanceId: id, credentials: credentials), to: host, credentials)
    }

    private func cast<M: RPCMessage>(_ message: M, to host: String, _ credentials: Credentials) async throws {
        try await casts.cast(message, to: Topic.compute(host), requestId: credentials.requestId)
    }
}
