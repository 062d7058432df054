/// Keeps hosts in an aggregate whose metadata satisfies the flavor's extra specs scoped
/// `aggregate_instance_extra_specs:`, and unscoped ones (Nova's legacy behaviour); specs in other scopes are ignored.
/// A spec is met when one of the key's values over the host's aggregates matches it (``extraSpecMatches(_:_:)``).
public struct AggregateInstanceExtraSpecsFilter: HostFilter {
    public init() {}

    public var name: String { "AggregateInstanceExtraSpecsFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: RequestSpec) -> Bool {
        for (key, requirement) in spec.extraSpecs {
            var metadataKey = key
            if let colon = key.firstIndex(of: ":") {
                guard key[..<colon] == "aggregate_instance_extra_specs" else { continue }
                metadataKey = String(key[key.index(after: colon)...])
            }
            guard host.aggregateValues(metadataKey).contains(where: { extraSpecMatches(String($0), requirement) }) else {
                return false
            }
        }
        return true
    }
}
