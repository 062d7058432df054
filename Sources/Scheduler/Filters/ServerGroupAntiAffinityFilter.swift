/// For a group with the `anti-affinity` policy, keeps hosts with fewer of the group's members than the group's
/// `max_server_per_host` rule (1 without it).
public struct ServerGroupAntiAffinityFilter: HostFilter {
    public init() {}

    public var name: String { "ServerGroupAntiAffinityFilter" }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        guard let group = spec.group, group.policy == .antiAffinity else { return true }
        return group.members(on: host.host) < group.maxServerPerHost ?? 1
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard let group = spec.group, group.policy == .antiAffinity, !group.memberHosts.isEmpty else { return }
        let limit = group.maxServerPerHost ?? 1
        candidates.removeAll { group.members(on: hosts[$0].host) >= limit }
    }
}
