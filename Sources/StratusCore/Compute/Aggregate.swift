/// A Nova host aggregate: a named group of compute hosts with metadata; `availability_zone` metadata makes it a zone.
public struct Aggregate: Sendable, Codable, Equatable {
    /// The metadata key that names the aggregate's availability zone.
    public static let zoneKey = "availability_zone"
    /// The zone of hosts in no aggregate with a zone (Nova's `default_availability_zone`).
    public static let defaultZone = "nova"

    /// Nova's integer id, assigned by the database.
    public var id: Int
    public var uuid: String
    public var name: String
    public var metadata: [String: String]
    /// Compute host names, sorted.
    public var hosts: [String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp?

    public init(
        id: Int, uuid: String, name: String, metadata: [String: String] = [:], hosts: [String] = [], createdAt: Timestamp,
        updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.uuid = uuid
        self.name = name
        self.metadata = metadata
        self.hosts = hosts
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    public var availabilityZone: String? { metadata[Self.zoneKey] }
}
