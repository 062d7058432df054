public import StratusCore

/// What the filters and weighers see of one request: its spec's flavor sizes and extra specs, image properties and
/// hints, with where its group's members run now.
public struct ScheduleRequest: Sendable {
    public var projectId: ProjectID
    public var vcpus: Int
    public var memoryMB: Int
    public var rootGB: Int
    public var ephemeralGB: Int
    public var swapMB: Int
    /// The flavor's extra specs (`capabilities:...`, `aggregate_instance_extra_specs:...`, `hw:...`).
    public var extraSpecs: [String: String]
    /// The image's properties (`hw_architecture`, `img_hv_type`, `hw_vm_mode`, `img_hv_requested_version`, ...).
    public var imageProperties: [String: String]
    public var availabilityZone: String?
    /// How many instances to place (`min_count` of a multi-create).
    public var numInstances: Int
    /// The `same_host` scheduler hint: instances the new ones must share a host with.
    public var sameHost: Set<InstanceID>
    /// The `different_host` scheduler hint: instances the new ones must not share a host with.
    public var differentHost: Set<InstanceID>
    public var group: ServerGroupInfo?
    /// Hosts already tried for this request (a reschedule).
    public var ignoreHosts: Set<String>
    /// The one host an admin asked for (`host` from 2.74, or `availability_zone` `zone:host`); the filters still run.
    public var requestedHost: String?

    public init(
        projectId: ProjectID,
        vcpus: Int,
        memoryMB: Int,
        rootGB: Int,
        ephemeralGB: Int = 0,
        swapMB: Int = 0,
        extraSpecs: [String: String] = [:],
        imageProperties: [String: String] = [:],
        availabilityZone: String? = nil,
        numInstances: Int = 1,
        sameHost: Set<InstanceID> = [],
        differentHost: Set<InstanceID> = [],
        group: ServerGroupInfo? = nil,
        ignoreHosts: Set<String> = [],
        requestedHost: String? = nil
    ) {
        self.projectId = projectId
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.rootGB = rootGB
        self.ephemeralGB = ephemeralGB
        self.swapMB = swapMB
        self.extraSpecs = extraSpecs
        self.imageProperties = imageProperties
        self.availabilityZone = availabilityZone
        self.numInstances = numInstances
        self.sameHost = sameHost
        self.differentHost = differentHost
        self.group = group
        self.ignoreHosts = ignoreHosts
        self.requestedHost = requestedHost
    }

    /// The DISK_GB one instance takes: root + ephemeral + swap rounded up to whole GB.
    public var diskGB: Int {
        rootGB + ephemeralGB + (swapMB + 1023) / 1024
    }
}
