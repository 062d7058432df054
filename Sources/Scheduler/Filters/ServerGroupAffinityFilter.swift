/// For a group with the `affinity` policy, keeps only the hosts that already run members of the group; while the
/// group has none, any host.
public struct ServerGroupAffinityFilter: HostFilter {
    public init() {}

    public var name: String { "ServerGroupAffinityFilter" }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        guard let group = Self.placedGroup(spec) else { return true }
        return group.members(on: host.host) > 0
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard let group = Self.placedGroup(spec) else { return }
        candidates.removeAll { group.members(on: hosts[$0].host) == 0 }
    }

    /// The request's group when it has the affinity policy and members somewhere.
    private static func placedGroup(_ spec: ScheduleRequest) -> ServerGroupInfo? {
        guard let group = spec.group, group.policy == .affinity, !group.memberHosts.isEmpty else { return nil }
        return group
    }
}
