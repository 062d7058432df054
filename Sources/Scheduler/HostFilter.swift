/// Decides whether a host can take one instance of a request (Nova's `BaseHostFilter.host_passes`).
public protocol HostFilter: Sendable {
    /// Nova's class name, e.g. `ComputeFilter`: settings enable filters by it and NoValidHost reasons name them by it.
    var name: String { get }
    /// Whether the first instance of a multi-instance request is enough to run it on, because nothing it reads changes
    /// when the scheduler places an instance (Nova's `run_filter_once_per_request`). False unless a filter says so.
    var runsOncePerRequest: Bool { get }
    func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool
    /// Removes from `candidates`, positions in `hosts`, the hosts that do not pass. The scheduler calls this rather than
    /// ``passes(_:_:)`` so that the loop is compiled for each filter and reads host states in place instead of copying
    /// them; the default implementation is all a filter needs.
    func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest)
}

extension HostFilter {
    public var runsOncePerRequest: Bool { false }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        candidates.removeAll { !passes(hosts[$0], spec) }
    }
}
