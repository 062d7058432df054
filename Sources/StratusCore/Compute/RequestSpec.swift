/// What the scheduler is asked for an instance (Nova's `RequestSpec`): its own record, written with the instance, so
/// that a reschedule, an unshelve or a move in any process schedules it as it was first asked.
public struct RequestSpec: Sendable, Codable, Equatable {
    public var instanceId: InstanceID
    public var projectId: ProjectID
    public var flavor: InstanceFlavor
    /// The boot image's properties (`hw_architecture`, `img_hv_type`, ...), which the image filter reads.
    public var imageProperties: [String: String]
    /// The root disk is a volume: the host gives no disk for it.
    public var isVolumeBacked: Bool
    /// The zone asked for, nil for any.
    public var availabilityZone: String?
    /// The one host an admin asked for (Nova's `requested_destination`), nil for any.
    public var requestedHost: String?
    /// Scheduler hints `same_host` and `different_host`: instances to land beside or away from.
    public var sameHost: [InstanceID]
    public var differentHost: [InstanceID]
    public var serverGroupId: ServerGroupID?
    /// How many instances the boot request made (`max_count` granted).
    public var numInstances: Int

    public init(
        instanceId: InstanceID, projectId: ProjectID, flavor: InstanceFlavor, imageProperties: [String: String] = [:], isVolumeBacked: Bool = false,
        availabilityZone: String? = nil, requestedHost: String? = nil, sameHost: [InstanceID] = [], differentHost: [InstanceID] = [],
        serverGroupId: ServerGroupID? = nil, numInstances: Int = 1
    ) {
        self.instanceId = instanceId
        self.projectId = projectId
        self.flavor = flavor
        self.imageProperties = imageProperties
        self.isVolumeBacked = isVolumeBacked
        self.availabilityZone = availabilityZone
        self.requestedHost = requestedHost
        self.sameHost = sameHost
        self.differentHost = differentHost
        self.serverGroupId = serverGroupId
        self.numInstances = numInstances
    }

    /// The spec of an instance that has none recorded (Nova's `RequestSpec.from_components`): its flavor, zone and
    /// group, no hints.
    public init(of instance: Instance) {
        self.init(
            instanceId: instance.id, projectId: instance.projectId, flavor: instance.flavor, isVolumeBacked: instance.isVolumeBacked,
            availabilityZone: instance.requestedZone, serverGroupId: instance.serverGroupId
        )
    }
}
