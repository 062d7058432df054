public import StratusCore

/// conductor -> compute.<host>: build the instance here (its resources are claimed); also an unshelve, for an
/// instance in `shelved_offloaded`, which boots from its shelved image and keeps its ports.
public struct BuildAndRunInstance: RPCMessage {
    public static let method = "build_and_run_instance"
    public var instance: Instance
    public var alternates: [String]
    public var credentials: Credentials

    public init(instance: Instance, alternates: [String], credentials: Credentials) {
        self.instance = instance
        self.alternates = alternates
        self.credentials = credentials
    }
}

/// compute-api -> compute.<host>: act on an instance; the API has set its task state already.
public struct OperateInstance: RPCMessage {
    public enum Operation: String, Sendable, Codable {
        case stop, start, softReboot, hardReboot, pause, unpause, suspend, resume, delete, crashDump, softDelete, restore
    }

    public static let method = "operate_instance"
    public var instanceId: InstanceID
    public var operation: Operation
    public var credentials: Credentials
    /// For a delete: the instance's volumes, whose attachments the host deletes once the guest is gone (and the
    /// volumes too when they are to be deleted on termination).
    @EmptyWhenMissing public var volumes: [InstanceVolumeAttachment]

    public init(instanceId: InstanceID, operation: Operation, credentials: Credentials, volumes: [InstanceVolumeAttachment] = []) {
        self.instanceId = instanceId
        self.operation = operation
        self.credentials = credentials
        self.volumes = volumes
    }
}

/// compute-api -> compute.<host>: the guest's console output (the last `length` lines when given).
public struct GetConsoleOutput: RPCRequest {
    public typealias Reply = String
    public static let method = "get_console_output"
    public var instanceId: InstanceID
    public var length: Int?

    public init(instanceId: InstanceID, length: Int?) {
        self.instanceId = instanceId
        self.length = length
    }
}

/// compute-api -> compute.<host>: where the guest's VNC or serial console listens, for a console token.
public struct GetRemoteConsole: RPCRequest {
    public typealias Reply = RemoteConsole
    public static let method = "get_remote_console"
    public var instanceId: InstanceID
    public var kind: RemoteConsole.Kind

    public init(instanceId: InstanceID, kind: RemoteConsole.Kind) {
        self.instanceId = instanceId
        self.kind = kind
    }
}

/// compute-api -> compute.<host>: the host's uptime and load, as `uptime` prints them (os-hypervisors/{id}/uptime).
public struct GetHostUptime: RPCRequest {
    public typealias Reply = String
    public static let method = "get_host_uptime"

    public init() {}
}

/// conductor -> compute.<host>: give the guest `flavor`'s size (the claim is moved already).
public struct ResizeGuest: RPCMessage {
    public static let method = "resize_guest"
    public var instance: Instance
    public var flavor: InstanceFlavor
    public var reverting: Bool
    public var credentials: Credentials

    public init(instance: Instance, flavor: InstanceFlavor, reverting: Bool, credentials: Credentials) {
        self.instance = instance
        self.flavor = flavor
        self.reverting = reverting
        self.credentials = credentials
    }
}

/// compute-api -> compute.<host>: write the guest's disk into the queued image `imageId`.
public struct SnapshotInstance: RPCMessage {
    public static let method = "snapshot_instance"
    public var instanceId: InstanceID
    public var imageId: ImageID
    public var credentials: Credentials

    public init(instanceId: InstanceID, imageId: ImageID, credentials: Credentials) {
        self.instanceId = instanceId
        self.imageId = imageId
        self.credentials = credentials
    }
}

/// compute-api -> compute.<host>: give the guest a new root disk from the instance's (new) image, keeping its ports.
public struct RebuildGuest: RPCMessage {
    public static let method = "rebuild_instance"
    public var instance: Instance
    public var credentials: Credentials

    public init(instance: Instance, credentials: Credentials) {
        self.instance = instance
        self.credentials = credentials
    }
}

/// compute-api -> compute.<host>: power the guest off, write its disk into the queued image `shelvedImageId`, then
/// remove it from the host (Nova's shelve with `shelved_offload_time = 0`).
public struct ShelveInstance: RPCMessage {
    public static let method = "shelve_instance"
    public var instanceId: InstanceID
    public var imageId: ImageID
    public var credentials: Credentials

    public init(instanceId: InstanceID, imageId: ImageID, credentials: Credentials) {
        self.instanceId = instanceId
        self.imageId = imageId
        self.credentials = credentials
    }
}
