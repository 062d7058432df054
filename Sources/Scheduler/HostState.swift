public import StratusCore

/// One compute host as the scheduler sees it: Nova's HostState with its placement inventory.
///
/// Filters and weighers read it; the scheduler changes its own copy only to account for instances it has already
/// placed in the same request (``consume(_:)``).
public struct HostState: Sendable {
    /// Nova's `default_availability_zone`.
    public static let defaultAvailabilityZone = "nova"

    /// The compute host's name, e.g. `fake-0`.
    public var host: String
    /// The host's zone, unless one of its aggregates names another in `availability_zone` metadata, which wins (in
    /// Nova only aggregates set zones).
    public var availabilityZone: String
    public var aggregates: [AggregateInfo]
    /// The compute service is not disabled.
    public var enabled: Bool
    /// The compute service's heartbeat is recent enough.
    public var isUp: Bool
    public var vcpus: Inventory
    public var memoryMB: Inventory
    public var diskGB: Inventory
    public var numInstances: Int
    /// Instances in a task state that loads the host: building, resizing, snapshotting, migrating, ...
    public var numIoOps: Int
    public var instances: Set<InstanceID>
    /// Its hypervisor, as the driver reports it (`fake`, `QEMU`).
    public var hypervisorType: String
    /// The hypervisor's version as Nova encodes it: major * 1,000,000 + minor * 1,000 + micro.
    public var hypervisorVersion: Int
    public var cpuArchitecture: String
    /// What guests the host can run (Nova's `supported_instances`), which ImagePropertiesFilter matches.
    public var supportedInstances: [SupportedInstance]
    /// Recent failed builds, which BuildFailureWeigher holds against the host.
    public var failedBuilds: Int
    /// Extra values ComputeCapabilitiesFilter matches flavor extra specs against, keyed as the specs name them
    /// without the `capabilities:` scope (`cpu_info:vendor`, `hypervisor_type`, ...). Keys not set here fall back to the
    /// host's own fields (`hypervisor_type`, `hypervisor_version`, `cpu_info:arch`, `free_ram_mb`, ...).
    public var capabilities: [String: String]

    /// A host; `supportedInstances` defaults to one entry built from `cpuArchitecture` and `hypervisorType` in HVM mode.
    public init(
        host: String,
        availabilityZone: String = Self.defaultAvailabilityZone,
        aggregates: [AggregateInfo] = [],
        enabled: Bool = true,
        isUp: Bool = true,
        vcpus: Inventory,
        memoryMB: Inventory,
        diskGB: Inventory,
        numInstances: Int = 0,
        numIoOps: Int = 0,
        instances: Set<InstanceID> = [],
        hypervisorType: String = "fake",
        hypervisorVersion: Int = 1000,
        cpuArchitecture: String = "x86_64",
        supportedInstances: [SupportedInstance]? = nil,
        failedBuilds: Int = 0,
        capabilities: [String: String] = [:]
    ) {
        self.host = host
        self.availabilityZone = availabilityZone
        self.aggregates = aggregates
        self.enabled = enabled
        self.isUp = isUp
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.diskGB = diskGB
        self.numInstances = numInstances
        self.numIoOps = numIoOps
        self.instances = instances
        self.hypervisorType = hypervisorType
        self.hypervisorVersion = hypervisorVersion
        self.cpuArchitecture = cpuArchitecture
        self.supportedInstances =
            supportedInstances ?? [SupportedInstance(architecture: cpuArchitecture, hypervisorType: hypervisorType, vmMode: "hvm")]
        self.failedBuilds = failedBuilds
        self.capabilities = capabilities
    }

    /// Whether one instance of `spec` fits the VCPU, MEMORY_MB and DISK_GB inventories (Nova's placement query).
    @inline(__always)  // the scheduler's hottest loop; inlined it reads three fields instead of copying the host state
    public func fits(_ spec: ScheduleRequest) -> Bool {
        vcpus.fits(spec.vcpus) && memoryMB.fits(spec.memoryMB) && diskGB.fits(spec.diskGB)
    }

    /// Accounts for one more instance of `spec` on the host, as the scheduler does between the instances of one
    /// request (Nova's `consume_from_request`): its resources, the instance count and one I/O operation.
    public mutating func consume(_ spec: ScheduleRequest) {
        vcpus.used += spec.vcpus
        memoryMB.used += spec.memoryMB
        diskGB.used += spec.diskGB
        numInstances += 1
        numIoOps += 1
    }
}
