import StratusCore

/// Reserves hosts for projects: a host in an aggregate with `filter_tenant_id` metadata (or `filter_tenant_id_<suffix>`,
/// for lists too long for one value) takes only instances of the projects those values list. Other hosts take any.
public struct AggregateMultiTenancyIsolation: HostFilter {
    public init() {}

    public var name: String { "AggregateMultiTenancyIsolation" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        Self.admits(spec.projectId.rawValue, host.aggregates)
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        let project = spec.projectId.rawValue
        candidates.removeAll { !hosts[$0].aggregates.isEmpty && !Self.admits(project, hosts[$0].aggregates) }
    }

    private static func admits(_ project: String, _ aggregates: [AggregateInfo]) -> Bool {
        var restricted = false
        for aggregate in aggregates {
            for (key, value) in aggregate.metadata where key.hasPrefix("filter_tenant_id") {
                restricted = true
                if value.commaSeparated.contains(where: { $0 == project }) { return true }
            }
        }
        return !restricted
    }
}
