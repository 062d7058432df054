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
