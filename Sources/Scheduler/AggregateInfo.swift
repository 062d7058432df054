import StratusCore

/// A host aggregate the host belongs to, with the metadata filters read (`availability_zone`, `filter_tenant_id`, ...).
public struct AggregateInfo: Sendable {
    public var id: Int
    public var name: String
    /// Nova keeps lists in one value, separated by commas (`filter_tenant_id = "p1,p2"`).
    public var metadata: [String: String]

    public init(id: Int, name: String, metadata: [String: String] = [:]) {
        self.id = id
        self.name = name
        self.metadata = metadata
    }
}

extension AggregateInfo {
    /// Each host's aggregates, as the filters see them.
    static func byHost(_ aggregates: [Aggregate]) -> [String: [AggregateInfo]] {
        var result: [String: [AggregateInfo]] = [:]
        for aggregate in aggregates {
            for host in aggregate.hosts {
                result[host, default: []].append(AggregateInfo(id: aggregate.id, name: aggregate.name, metadata: aggregate.metadata))
            }
        }
        return result
    }
}

extension [AggregateInfo] {
    /// Every value of `key` in these aggregates, lists split at commas (Nova's `aggregate_metadata_get_by_host`).
    func values(of key: String) -> [Substring] {
        var values: [Substring] = []
        for aggregate in self {
            if let value = aggregate.metadata[key] { values.append(contentsOf: value.commaSeparated) }
        }
        return values
    }
}

extension String {
    /// The comma-separated items without surrounding whitespace, empty ones dropped.
    var commaSeparated: [Substring] {
        split(separator: ",").compactMap { item in
            guard let first = item.firstIndex(where: { !$0.isWhitespace }), let last = item.lastIndex(where: { !$0.isWhitespace })
            else { return nil }
            return item[first...last]
        }
    }
}
