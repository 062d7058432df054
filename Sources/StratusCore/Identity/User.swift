/// A Keystone user. `passwordHash` is the KDF's output string, never the password.
public struct User: Sendable, Codable, Equatable {
    public var id: UserID
    public var name: String
    public var domainId: DomainID
    public var defaultProjectId: ProjectID?
    public var description: String
    public var email: String?
    public var enabled: Bool
    public var passwordHash: String?

    public init(
        id: UserID, name: String, domainId: DomainID, defaultProjectId: ProjectID? = nil, description: String = "",
        email: String? = nil, enabled: Bool = true, passwordHash: String? = nil
    ) {
        self.id = id
        self.name = name
        self.domainId = domainId
        self.defaultProjectId = defaultProjectId
        self.description = description
        self.email = email
        self.enabled = enabled
        self.passwordHash = passwordHash
    }
}
