/// A grant of a role to a user on a project or a domain.
public struct RoleAssignment: Sendable, Codable, Equatable, Hashable {
    public enum Target: Sendable, Equatable, Hashable {
        case project(ProjectID)
        case domain(DomainID)
    }

    public var userId: UserID
    public var roleId: RoleID
    public var target: Target

    public init(userId: UserID, roleId: RoleID, target: Target) {
        self.userId = userId
        self.roleId = roleId
        self.target = target
    }

    enum CodingKeys: String, CodingKey {
        case userId, roleId, targetType, targetId
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        userId = try container.decode(UserID.self, forKey: .userId)
        roleId = try container.decode(RoleID.self, forKey: .roleId)
        let targetId = try container.decode(String.self, forKey: .targetId)
        switch try container.decode(String.self, forKey: .targetType) {
        case "domain": target = .domain(DomainID(targetId))
        default: target = .project(ProjectID(targetId))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(userId, forKey: .userId)
        try container.encode(roleId, forKey: .roleId)
        switch target {
        case .project(let id):
            try container.encode("project", forKey: .targetType)
            try container.encode(id.rawValue, forKey: .targetId)
        case .domain(let id):
            try container.encode("domain", forKey: .targetType)
            try container.encode(id.rawValue, forKey: .targetId)
        }
    }
}
