/// Keeps hosts in an aggregate whose metadata satisfies the flavor's extra specs scoped
/// `aggregate_instance_extra_specs:`, and unscoped ones (Nova's legacy behaviour); specs in other scopes are ignored.
/// A spec is met when one of the key's values over the host's aggregates matches it, with Nova's extra spec operators.
public struct AggregateInstanceExtraSpecsFilter: HostFilter {
    public init() {}

    public var name: String { "AggregateInstanceExtraSpecsFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        Self.admit(host.aggregates, Self.checks(spec.extraSpecs))
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        let checks = Self.checks(spec.extraSpecs)
        guard !checks.isEmpty else { return }
        candidates.removeAll { !Self.admit(hosts[$0].aggregates, checks) }
    }

    /// The metadata keys and requirements the extra specs ask of aggregates.
    private static func checks(_ extraSpecs: [String: String]) -> [(key: String, requirement: String)] {
        extraSpecs.compactMap { key, requirement in
            guard let colon = key.firstIndex(of: ":") else { return (key, requirement) }
            guard key[..<colon] == "aggregate_instance_extra_specs" else { return nil }
            return (String(key[key.index(after: colon)...]), requirement)
        }
    }

    private static func admit(_ aggregates: [AggregateInfo], _ checks: [(key: String, requirement: String)]) -> Bool {
        checks.allSatisfy { check in
            aggregates.values(of: check.key).contains { extraSpecMatches(String($0), check.requirement) }
        }
    }
}
