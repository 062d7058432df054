/// Keeps hosts with fewer than `maxInstancesPerHost` instances (Nova's `max_instances_per_host`).
public struct NumInstancesFilter: HostFilter {
    public var maxInstancesPerHost: Int

    public init(maxInstancesPerHost: Int = 50) {
        self.maxInstancesPerHost = maxInstancesPerHost
    }

    public var name: String { "NumInstancesFilter" }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        host.numInstances < maxInstancesPerHost
    }
}
