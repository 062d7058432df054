/// For the `same_host` hint, keeps hosts that run at least one of the named instances.
public struct SameHostFilter: HostFilter {
    public init() {}

    public var name: String { "SameHostFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        spec.sameHost.isEmpty || !host.instances.isDisjoint(with: spec.sameHost)
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard !spec.sameHost.isEmpty else { return }
        candidates.removeAll { hosts[$0].instances.isDisjoint(with: spec.sameHost) }
    }
}
