/// Keeps hosts with fewer than `maxIoOpsPerHost` instances in I/O-heavy task states (Nova's `max_io_ops_per_host`).
public struct IoOpsFilter: HostFilter {
    public var maxIoOpsPerHost: Int

    public init(maxIoOpsPerHost: Int = 8) {
        self.maxIoOpsPerHost = maxIoOpsPerHost
    }

    public var name: String { "IoOpsFilter" }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        host.numIoOps < maxIoOpsPerHost
    }
}
