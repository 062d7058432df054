public import StratusCore

/// compute-api -> conductor: schedule and build these new instances (one boot request).
public struct BuildInstances: RPCMessage {
    public static let method = "build_instances"
    public var instanceIds: [InstanceID]
    public var credentials: Credentials

    public init(instanceIds: [InstanceID], credentials: Credentials) {
        self.instanceIds = instanceIds
        self.credentials = credentials
    }
}

/// A new task state, or none (an optional of an optional would not survive JSON).
public enum TaskStateChange: Sendable, Codable, Equatable {
    case set(TaskState)
    case clear

    var value: TaskState? {
        switch self {
        case .set(let state): state
        case .clear: nil
        }
    }
}

/// What a compute host changed on an instance; nil fields stay as they are.
public struct InstanceChanges: Sendable, Codable, Equatable {
    public var vmState: VMState?
    public var taskState: TaskStateChange?
    public var powerState: PowerState?
    public var launchedAt: Timestamp?
    public var fault: InstanceFault?
    public var flavor: InstanceFlavor?
    /// `.some(nil)` is never needed: a finished resize sets it, a confirm or revert clears it through `clearOldFlavor`.
    public var oldFlavor: InstanceFlavor?
    public var clearOldFlavor: Bool
    public var networkInfo: [InstanceVIF]?
    /// An unshelved instance no longer needs its shelved image; a failed shelve never had one.
    public var clearShelvedImage: Bool
    /// The new status of the instance's migration that is not over yet (a resize finished, reverted or failed).
    public var migrationStatus: InstanceMigration.Status?
    /// Where the host now forwards the guest's SSH port, reported when the guest (re)starts.
    public var sshForward: String?
    /// Set when the host gave the guest a config drive its boot did not ask for (Nova's `force_config_drive`).
    public var configDrive: Bool?
    /// The instance's volumes, as its build attached them (an empty list: a failed build gave them back).
    public var volumeAttachments: [InstanceVolumeAttachment]?

    public init(
        vmState: VMState? = nil, taskState: TaskStateChange? = nil, powerState: PowerState? = nil, launchedAt: Timestamp? = nil,
        fault: InstanceFault? = nil, flavor: InstanceFlavor? = nil, oldFlavor: InstanceFlavor? = nil, clearOldFlavor: Bool = false,
        networkInfo: [InstanceVIF]? = nil, clearShelvedImage: Bool = false, migrationStatus: InstanceMigration.Status? = nil,
        sshForward: String? = nil, configDrive: Bool? = nil, volumeAttachments: [InstanceVolumeAttachment]? = nil
    ) {
        self.vmState = vmState
        self.taskState = taskState
        self.powerState = powerState
        self.launchedAt = launchedAt
        self.fault = fault
        self.flavor = flavor
        self.oldFlavor = oldFlavor
        self.clearOldFlavor = clearOldFlavor
        self.networkInfo = networkInfo
        self.clearShelvedImage = clearShelvedImage
        self.migrationStatus = migrationStatus
        self.sshForward = sshForward
        self.configDrive = configDrive
        self.volumeAttachments = volumeAttachments
    }

    /// `instance` with these changes applied.
    public func applied(to instance: Instance) -> Instance {
        var instance = instance
        if let vmState { instance.vmState = vmState }
        if let taskState { instance.taskState = taskState.value }
        if let powerState { instance.powerState = powerState }
        if let launchedAt { instance.launchedAt = launchedAt }
        if let fault { instance.fault = fault }
        if let flavor { instance.flavor = flavor }
        if let oldFlavor { instance.oldFlavor = oldFlavor }
        if clearOldFlavor { instance.oldFlavor = nil }
        if let networkInfo { instance.networkInfo = networkInfo }
        if clearShelvedImage { instance.shelvedImageId = nil }
        if let sshForward { instance.sshForward = sshForward }
        if let configDrive { instance.configDrive = configDrive }
        if let volumeAttachments { instance.volumeAttachments = volumeAttachments }
        return instance
    }
}

/// compute -> conductor: record a change of an instance, if its task state is still one of `expectedTaskStates`
/// (nil: whatever it is). The reply says whether it was recorded.
public struct UpdateInstance: RPCRequest {
    public typealias Reply = Bool
    public static let method = "instance_update"
    public var instanceId: InstanceID
    public var changes: InstanceChanges
    public var expectedTaskStates: [TaskState?]?
    /// An action event (its start or its finish) recorded with the change when it applies, instead of a message of its own.
    public var event: RecordActionEvent?

    public init(instanceId: InstanceID, changes: InstanceChanges, expectedTaskStates: [TaskState?]?, event: RecordActionEvent? = nil) {
        self.instanceId = instanceId
        self.changes = changes
        self.expectedTaskStates = expectedTaskStates
        self.event = event
    }
}

/// compute -> conductor: the build on `host` failed and was cleaned up; try the alternates or give up.
public struct BuildFailed: RPCMessage {
    public static let method = "build_failed"
    public var instanceId: InstanceID
    public var host: String
    public var reason: String
    public var alternates: [String]
    public var credentials: Credentials

    public init(instanceId: InstanceID, host: String, reason: String, alternates: [String], credentials: Credentials) {
        self.instanceId = instanceId
        self.host = host
        self.reason = reason
        self.alternates = alternates
        self.credentials = credentials
    }
}

/// compute -> conductor: the guest and its ports are gone; mark the instance deleted and free its claim.
public struct InstanceRemoved: RPCMessage {
    public static let method = "instance_removed"
    public var instanceId: InstanceID

    public init(instanceId: InstanceID) {
        self.instanceId = instanceId
    }
}

/// compute -> conductor: an event of an instance action started or finished.
public struct RecordActionEvent: RPCMessage {
    public static let method = "action_event"
    public var instanceId: InstanceID
    public var requestId: String
    public var event: InstanceAction.Event

    public init(instanceId: InstanceID, requestId: String, event: InstanceAction.Event) {
        self.instanceId = instanceId
        self.requestId = requestId
        self.event = event
    }
}

/// compute -> conductor: the host's resources and that it is alive (its first report registers it).
public struct ReportHost: RPCRequest {
    public typealias Reply = Done
    public static let method = "report_host"
    public var node: ComputeNode

    public init(node: ComputeNode) {
        self.node = node
    }
}

/// compute-api -> conductor: move the instance's claim on its host to `flavor` (a resize, or its revert), then have
/// the host resize the guest. `confirm` is false for a resize (the instance waits in VERIFY_RESIZE), true for a revert.
public struct ResizeInstance: RPCMessage {
    public static let method = "resize_instance"
    public var instanceId: InstanceID
    public var flavor: InstanceFlavor
    public var reverting: Bool
    public var credentials: Credentials

    public init(instanceId: InstanceID, flavor: InstanceFlavor, reverting: Bool, credentials: Credentials) {
        self.instanceId = instanceId
        self.flavor = flavor
        self.reverting = reverting
        self.credentials = credentials
    }
}

/// compute -> conductor: the shelved guest is gone from its host; free the claim and leave the instance
/// `shelved_offloaded`, on no host.
public struct InstanceOffloaded: RPCMessage {
    public static let method = "instance_offloaded"
    public var instanceId: InstanceID

    public init(instanceId: InstanceID) {
        self.instanceId = instanceId
    }
}

/// compute -> conductor: the instances placed on `host`, for the periodic power-state sync.
public struct HostInstances: RPCRequest {
    public typealias Reply = [Instance]
    public static let method = "host_instances"
    public var host: String

    public init(host: String) {
        self.host = host
    }
}
