/// The scheduler's configuration: Nova's `[filter_scheduler]` options that this scheduler has.
public struct SchedulerSettings: Sendable {
    /// Nova's default filters, in the order they run.
    public static let defaultFilters = [
        "AvailabilityZoneFilter", "ComputeFilter", "ComputeCapabilitiesFilter", "ImagePropertiesFilter",
        "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter", "SameHostFilter", "DifferentHostFilter",
    ]

    /// Nova's default weigher multipliers.
    public static let defaultWeigherMultipliers: [String: Double] = [
        "RAMWeigher": 1.0, "CPUWeigher": 1.0, "DiskWeigher": 1.0, "NumInstancesWeigher": 0.0, "IoOpsWeigher": -1.0,
        "ServerGroupSoftAffinityWeigher": 1.0, "ServerGroupSoftAntiAffinityWeigher": 1.0, "BuildFailureWeigher": 1_000_000.0,
    ]

    public static let `default` = SchedulerSettings()

    /// Filter names in the order they run (Nova's `enabled_filters`). Besides the defaults there are
    /// `AggregateInstanceExtraSpecsFilter`, `AggregateMultiTenancyIsolation`, `NumInstancesFilter` and `IoOpsFilter`.
    public var enabledFilters: [String]
    /// Multipliers by weigher name; a weigher left out or at 0 does not count.
    public var weigherMultipliers: [String: Double]
    /// The scheduler picks at random among this many best hosts (Nova's `host_subset_size`; below 1 counts as 1).
    public var hostSubsetSize: Int
    /// The limit of NumInstancesFilter.
    public var maxInstancesPerHost: Int
    /// The limit of IoOpsFilter.
    public var maxIoOpsPerHost: Int

    public init(
        enabledFilters: [String] = Self.defaultFilters,
        weigherMultipliers: [String: Double] = Self.defaultWeigherMultipliers,
        hostSubsetSize: Int = 1,
        maxInstancesPerHost: Int = 50,
        maxIoOpsPerHost: Int = 8
    ) {
        self.enabledFilters = enabledFilters
        self.weigherMultipliers = weigherMultipliers
        self.hostSubsetSize = hostSubsetSize
        self.maxInstancesPerHost = maxInstancesPerHost
        self.maxIoOpsPerHost = maxIoOpsPerHost
    }

    /// Filter and weigher names that name nothing this scheduler has; a configuration with any is invalid.
    public var unknownNames: [String] {
        enabledFilters.filter { filter(named: $0) == nil }
            + weigherMultipliers.keys.sorted().filter { Self.weigher(named: $0) == nil }
    }

    /// The filter called `name`, set up with these settings' limits.
    func filter(named name: String) -> (any HostFilter)? {
        switch name {
        case "AvailabilityZoneFilter": AvailabilityZoneFilter()
        case "ComputeFilter": ComputeFilter()
        case "ComputeCapabilitiesFilter": ComputeCapabilitiesFilter()
        case "ImagePropertiesFilter": ImagePropertiesFilter()
        case "ServerGroupAntiAffinityFilter": ServerGroupAntiAffinityFilter()
        case "ServerGroupAffinityFilter": ServerGroupAffinityFilter()
        case "SameHostFilter": SameHostFilter()
        case "DifferentHostFilter": DifferentHostFilter()
        case "AggregateInstanceExtraSpecsFilter": AggregateInstanceExtraSpecsFilter()
        case "AggregateMultiTenancyIsolation": AggregateMultiTenancyIsolation()
        case "NumInstancesFilter": NumInstancesFilter(maxInstancesPerHost: maxInstancesPerHost)
        case "IoOpsFilter": IoOpsFilter(maxIoOpsPerHost: maxIoOpsPerHost)
        default: nil
        }
    }

    /// The weigher called `name`.
    static func weigher(named name: String) -> (any HostWeigher)? {
        switch name {
        case "RAMWeigher": RAMWeigher()
        case "CPUWeigher": CPUWeigher()
        case "DiskWeigher": DiskWeigher()
        case "NumInstancesWeigher": NumInstancesWeigher()
        case "IoOpsWeigher": IoOpsWeigher()
        case "ServerGroupSoftAffinityWeigher": ServerGroupSoftAffinityWeigher()
        case "ServerGroupSoftAntiAffinityWeigher": ServerGroupSoftAntiAffinityWeigher()
        case "BuildFailureWeigher": BuildFailureWeigher()
        default: nil
        }
    }
}
