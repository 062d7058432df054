public import StratusCore

/// The user a message acts for: the token (for calls to other services' APIs) and what it says, so a service
/// in another process needs no identity lookup. Travels with every message started by an API request.
public struct Credentials: Sendable, Codable, Equatable {
    public var requestId: String
    public var token: String
    public var userId: UserID
    public var userDomainId: DomainID
    public var projectId: ProjectID
    public var roles: [String]

    public init(requestId: String, token: String, userId: UserID, userDomainId: DomainID, projectId: ProjectID, roles: [String]) {
        self.requestId = requestId
        self.token = token
        self.userId = userId
        self.userDomainId = userDomainId
        self.projectId = projectId
        self.roles = roles
    }
}
