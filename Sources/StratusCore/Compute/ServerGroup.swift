/// A Nova server group: instances placed together or apart.
public struct ServerGroup: Sendable, Codable, Equatable {
    public enum Policy: String, Sendable, Codable, CaseIterable {
        case affinity
        case antiAffinity = "anti-affinity"
        case softAffinity = "soft-affinity"
        case softAntiAffinity = "soft-anti-affinity"
    }

    public var id: ServerGroupID
    public var projectId: ProjectID
    public var userId: UserID
    public var name: String
    public var policy: Policy
    /// The anti-affinity rule `max_server_per_host` (2.64+); nil: one.
    public var maxServerPerHost: Int?
    public var createdAt: Timestamp

    public init(
        id: ServerGroupID, projectId: ProjectID, userId: UserID, name: String, policy: Policy, maxServerPerHost: Int? = nil, createdAt: Timestamp
    ) {
        self.id = id
        self.projectId = projectId
        self.userId = userId
        self.name = name
        self.policy = policy
        self.maxServerPerHost = maxServerPerHost
        self.createdAt = createdAt
    }
}

/// The compute quotas Stratus enforces, with Nova's defaults.
public enum QuotaResource: String, Sendable, Codable, CaseIterable {
    case instances, cores, ram
    case keyPairs = "key_pairs"
    case serverGroups = "server_groups"
    case serverGroupMembers = "server_group_members"
    case metadataItems = "metadata_items"

    public var defaultLimit: Int {
        switch self {
        case .instances: 10
        case .cores: 20
        case .ram: 51_200
        case .keyPairs: 100
        case .serverGroups: 10
        case .serverGroupMembers: 10
        case .metadataItems: 128
        }
    }
}
