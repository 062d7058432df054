/// For the `different_host` hint, keeps hosts that run none of the named instances.
public struct DifferentHostFilter: HostFilter {
    public init() {}

    public var name: String { "DifferentHostFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        spec.differentHost.isEmpty || host.instances.isDisjoint(with: spec.differentHost)
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard !spec.differentHost.isEmpty else { return }
        candidates.removeAll { !hosts[$0].instances.isDisjoint(with: spec.differentHost) }
    }
}
