/// `{"projects": [...], "links": {...}}`
struct ProjectList: Encodable, Sendable {
    let projects: [ProjectView]
    let links: CollectionLinks
}

/// `{"domains": [...], "links": {...}}`
struct DomainList: Encodable, Sendable {
    let domains: [DomainView]
    let links: CollectionLinks
}

/// `{"users": [...], "links": {...}}`
struct UserList: Encodable, Sendable {
    let users: [UserView]
    let links: CollectionLinks
}

/// `{"roles": [...], "links": {...}}`
struct RoleList: Encodable, Sendable {
    let roles: [RoleView]
    let links: CollectionLinks
}

/// `{"services": [...], "links": {...}}`
struct ServiceList: Encodable, Sendable {
    let services: [ServiceView]
    let links: CollectionLinks
}

/// `{"endpoints": [...], "links": {...}}`
struct EndpointList: Encodable, Sendable {
    let endpoints: [EndpointView]
    let links: CollectionLinks
}
