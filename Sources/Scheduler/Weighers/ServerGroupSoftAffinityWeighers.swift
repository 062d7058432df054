/// For a group with the `soft-affinity` policy, prefers hosts with more of the group's members.
public struct ServerGroupSoftAffinityWeigher: HostWeigher {
    public init() {}

    public var name: String { "ServerGroupSoftAffinityWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        guard let group = spec.group, group.policy == .softAffinity else { return 0 }
        return Double(group.members(on: host.host))
    }

    public func weights(of candidates: [Int], in hosts: [HostState], for spec: ScheduleRequest) -> [Double] {
        guard let group = spec.group, group.policy == .softAffinity else { return Array(repeating: 0, count: candidates.count) }
        return candidates.map { Double(group.members(on: hosts[$0].host)) }
    }
}

/// For a group with the `soft-anti-affinity` policy, prefers hosts with fewer of the group's members.
public struct ServerGroupSoftAntiAffinityWeigher: HostWeigher {
    public init() {}

    public var name: String { "ServerGroupSoftAntiAffinityWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        guard let group = spec.group, group.policy == .softAntiAffinity else { return 0 }
        return -Double(group.members(on: host.host))
    }

    public func weights(of candidates: [Int], in hosts: [HostState], for spec: ScheduleRequest) -> [Double] {
        guard let group = spec.group, group.policy == .softAntiAffinity else { return Array(repeating: 0, count: candidates.count) }
        return candidates.map { -Double(group.members(on: hosts[$0].host)) }
    }
}
