public import StratusCore

/// Who is calling: what a validated token says, as every API's policy checks it.
public struct AuthContext: Sendable, Equatable {
    public var userId: UserID
    public var userDomainId: DomainID
    /// The project the token is scoped to, if any.
    public var projectId: ProjectID?
    /// The domain the token is scoped to, if any.
    public var domainId: DomainID?
    /// Role names on the scope.
    public var roles: [String]
    public var methods: [String]
    public var auditIds: [String]
    public var issuedAt: Timestamp
    public var expiresAt: Timestamp

    public init(
        userId: UserID, userDomainId: DomainID, projectId: ProjectID?, domainId: DomainID?, roles: [String],
        methods: [String], auditIds: [String], issuedAt: Timestamp, expiresAt: Timestamp
    ) {
        self.userId = userId
        self.userDomainId = userDomainId
        self.projectId = projectId
        self.domainId = domainId
        self.roles = roles
        self.methods = methods
        self.auditIds = auditIds
        self.issuedAt = issuedAt
        self.expiresAt = expiresAt
    }

    /// The cloud administrator: the `admin` role on the token's scope.
    public var isAdmin: Bool { roles.contains(Role.admin) }

    /// May change objects of its scope: `admin` or `member`; a `reader` only reads.
    public var canWrite: Bool { isAdmin || roles.contains(Role.member) }

    /// May read objects of its scope: any of the three roles.
    public var canRead: Bool { canWrite || roles.contains(Role.reader) }
}
