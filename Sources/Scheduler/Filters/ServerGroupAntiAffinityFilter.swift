/// For a group with the `anti-affinity` policy, keeps hosts with fewer of the group's members than the group's
/// `max_server_per_host` rule (1 without it).
public struct ServerGroupAntiAffinityFilter: HostFilter {
    public init() {}

    public var name: String { "ServerGroupAntiAffinityFilter" }

    public func passes(_ host: HostState, _ spec: RequestSpec) -> Bool {
        guard let group = spec.group, group.policy == .antiAffinity else { return true }
        return group.members(on: host.host) < group.maxServerPerHost ?? 1
    }
}
