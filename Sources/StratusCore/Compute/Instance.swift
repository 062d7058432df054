/// The flavor as it was when the instance was built or resized (Nova embeds it since 2.47).
public struct InstanceFlavor: Sendable, Codable, Equatable {
    public var id: FlavorID
    public var name: String
    public var vcpus: Int
    public var memoryMB: Int
    public var rootGB: Int
    public var ephemeralGB: Int
    public var swapMB: Int
    public var extraSpecs: [String: String]

    public init(_ flavor: Flavor) {
        id = flavor.id
        name = flavor.name
        vcpus = flavor.vcpus
        memoryMB = flavor.memoryMB
        rootGB = flavor.rootGB
        ephemeralGB = flavor.ephemeralGB
        swapMB = flavor.swapMB
        extraSpecs = flavor.extraSpecs
    }

    /// Disk the instance takes on its host: root, ephemeral and swap.
    public var diskGB: Int { rootGB + ephemeralGB + (swapMB + 1023) / 1024 }
}

/// Why an instance is in ERROR, as server show's `fault` tells it.
public struct InstanceFault: Sendable, Codable, Equatable {
    public var code: Int
    public var message: String
    /// Shown to admin only.
    public var details: String
    public var created: Timestamp

    public init(code: Int, message: String, details: String = "", created: Timestamp) {
        self.code = code
        self.message = message
        self.details = details
        self.created = created
    }
}

/// What the boot request asked of the network: Nova's `networks` (`auto`, `none`, or a list).
public enum RequestedNetworks: Sendable, Codable, Equatable {
    /// One NIC: on a network, an existing port, or a network with a fixed address.
    public struct NIC: Sendable, Codable, Equatable {
        public var networkId: NetworkID?
        public var portId: PortID?
        public var fixedIp: IPAddress?
        public var tag: String?

        public init(networkId: NetworkID? = nil, portId: PortID? = nil, fixedIp: IPAddress? = nil, tag: String? = nil) {
            self.networkId = networkId
            self.portId = portId
            self.fixedIp = fixedIp
            self.tag = tag
        }
    }

    case auto
    case none
    case list([NIC])
}

/// One NIC of an instance as its host plugged it in: Nova's network info cache, which `addresses` shows.
public struct InstanceVIF: Sendable, Codable, Equatable {
    public var portId: PortID
    public var networkId: NetworkID
    public var networkName: String
    public var macAddress: String
    public var fixedIps: [IPAddress]

    public init(portId: PortID, networkId: NetworkID, networkName: String, macAddress: String, fixedIps: [IPAddress]) {
        self.portId = portId
        self.networkId = networkId
        self.networkName = networkName
        self.macAddress = macAddress
        self.fixedIps = fixedIps
    }
}

/// A Nova instance: what the API calls a server.
public struct Instance: Sendable, Codable, Equatable {
    public var id: InstanceID
    public var name: String
    public var projectId: ProjectID
    public var userId: UserID
    public var imageId: ImageID?
    /// The snapshot a shelved instance is unshelved from (Nova's `shelved_image_id`).
    public var shelvedImageId: ImageID?
    public var flavor: InstanceFlavor
    /// The flavor before a resize that is not yet confirmed (VERIFY_RESIZE), for a revert.
    public var oldFlavor: InstanceFlavor?
    public var keyName: String?
    public var publicKey: String?
    /// Base64, as received.
    public var userData: String?
    public var metadata: [String: String]
    public var tags: [String]
    public var securityGroups: [String]
    public var requestedNetworks: RequestedNetworks
    public var networkInfo: [InstanceVIF] = []
    /// Where the compute host forwards the guest's SSH port (`127.0.0.1:40123`), as it last reported; admins see it
    /// as Stratus's extension field `stratus:ssh_forward`.
    public var sshForward: String?
    /// The zone asked for at boot or unshelve (`pinned_availability_zone`; the scheduler reads its request spec's), nil
    /// for any.
    public var requestedZone: String?
    public var availabilityZone: String?
    public var host: String?
    public var vmState: VMState
    public var taskState: TaskState?
    public var powerState: PowerState
    public var hostname: String
    public var description: String?
    public var locked: Bool
    public var lockedReason: String?
    public var configDrive: Bool
    public var launchIndex: Int
    public var reservationId: String
    public var serverGroupId: ServerGroupID?
    /// The volumes attached to the instance (Nova's volume block device mappings), in the order they were attached.
    @EmptyWhenMissing public var volumeAttachments: [InstanceVolumeAttachment] = []
    /// The volumes the boot asked for, which the host that builds the instance attaches (and creates, when new).
    @EmptyWhenMissing public var requestedVolumes: [RequestedVolume] = []
    public var fault: InstanceFault?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var launchedAt: Timestamp?
    public var terminatedAt: Timestamp?
    public var deletedAt: Timestamp?

    public init(
        id: InstanceID, name: String, projectId: ProjectID, userId: UserID, imageId: ImageID?, flavor: InstanceFlavor,
        keyName: String? = nil, publicKey: String? = nil, userData: String? = nil, metadata: [String: String] = [:],
        tags: [String] = [], securityGroups: [String] = ["default"], requestedNetworks: RequestedNetworks = .auto,
        requestedZone: String? = nil, availabilityZone: String? = nil, host: String? = nil, vmState: VMState = .building,
        taskState: TaskState? = .scheduling, powerState: PowerState = .noState, hostname: String, description: String? = nil,
        locked: Bool = false, lockedReason: String? = nil, configDrive: Bool = false, launchIndex: Int = 0, reservationId: String,
        serverGroupId: ServerGroupID? = nil, fault: InstanceFault? = nil, createdAt: Timestamp, updatedAt: Timestamp,
        launchedAt: Timestamp? = nil, terminatedAt: Timestamp? = nil, deletedAt: Timestamp? = nil
    ) {
        self.id = id
        self.name = name
        self.projectId = projectId
        self.userId = userId
        self.imageId = imageId
        self.flavor = flavor
        self.oldFlavor = nil
        self.keyName = keyName
        self.publicKey = publicKey
        self.userData = userData
        self.metadata = metadata
        self.tags = tags
        self.securityGroups = securityGroups
        self.requestedNetworks = requestedNetworks
        self.requestedZone = requestedZone
        self.availabilityZone = availabilityZone
        self.host = host
        self.vmState = vmState
        self.taskState = taskState
        self.powerState = powerState
        self.hostname = hostname
        self.description = description
        self.locked = locked
        self.lockedReason = lockedReason
        self.configDrive = configDrive
        self.launchIndex = launchIndex
        self.reservationId = reservationId
        self.serverGroupId = serverGroupId
        self.fault = fault
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.launchedAt = launchedAt
        self.terminatedAt = terminatedAt
        self.deletedAt = deletedAt
    }

    /// The API's `status`.
    public var status: String { ServerStatus.of(vmState, taskState) }

    /// Booted from a volume: its root disk is a volume, not a disk made from an image on its host.
    public var isVolumeBacked: Bool {
        volumeAttachments.contains { $0.bootIndex == 0 } || requestedVolumes.contains { $0.bootIndex == 0 }
    }

    /// The host disk the instance takes at `flavor`'s size: none for its root when that is a volume, as Nova claims it.
    public func hostDiskGB(_ flavor: InstanceFlavor) -> Int {
        isVolumeBacked ? flavor.diskGB - flavor.rootGB : flavor.diskGB
    }
}

/// One user-visible operation on an instance (`os-instance-actions`), with its events.
public struct InstanceAction: Sendable, Codable, Equatable {
    public struct Event: Sendable, Codable, Equatable {
        public var name: String
        public var startTime: Timestamp
        public var finishTime: Timestamp?
        /// `Success` or `Error`.
        public var result: String?
        public var host: String?
        public var details: String?

        public init(name: String, startTime: Timestamp, finishTime: Timestamp? = nil, result: String? = nil, host: String? = nil, details: String? = nil) {
            self.name = name
            self.startTime = startTime
            self.finishTime = finishTime
            self.result = result
            self.host = host
            self.details = details
        }
    }

    public var instanceId: InstanceID
    public var requestId: String
    public var action: String
    public var userId: UserID
    public var projectId: ProjectID
    public var startTime: Timestamp
    public var updatedAt: Timestamp
    public var message: String?
    public var events: [Event]

    public init(
        instanceId: InstanceID, requestId: String, action: String, userId: UserID, projectId: ProjectID, startTime: Timestamp,
        message: String? = nil, events: [Event] = []
    ) {
        self.instanceId = instanceId
        self.requestId = requestId
        self.action = action
        self.userId = userId
        self.projectId = projectId
        self.startTime = startTime
        self.updatedAt = startTime
        self.message = message
        self.events = events
    }
}
