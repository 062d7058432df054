/// Decides whether a host can take one instance of a request (Nova's `BaseHostFilter.host_passes`).
public protocol HostFilter: Sendable {
    /// Nova's class name, e.g. `ComputeFilter`: settings enable filters by it and NoValidHost reasons name them by it.
    var name: String { get }
    /// Whether the first instance of a multi-instance request is enough to run it on, because nothing it reads changes
    /// when the scheduler places an instance (Nova's `run_filter_once_per_request`). False unless a filter says so.
    var runsOncePerRequest: Bool { get }
    func passes(_ host: HostState, _ spec: RequestSpec) -> Bool
}

extension HostFilter {
    public var runsOncePerRequest: Bool { false }
}
