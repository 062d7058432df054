/// For a group with the `affinity` policy, keeps only the hosts that already run members of the group; while the
/// group has none, any host.
public struct ServerGroupAffinityFilter: HostFilter {
    public init() {}

    public var name: String { "ServerGroupAffinityFilter" }

    public func passes(_ host: HostState, _ spec: RequestSpec) -> Bool {
        guard let group = spec.group, group.policy == .affinity, !group.memberHosts.isEmpty else { return true }
        return group.members(on: host.host) > 0
    }
}
