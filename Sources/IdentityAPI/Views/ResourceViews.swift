import StratusCore

/// `{"self": URL}` on every Keystone resource.
struct SelfLink: Encodable, Sendable {
    let `self`: String
}

/// The `links` of a Keystone collection.
struct CollectionLinks: Encodable, Sendable {
    let `self`: String
    let previous: String?
    let next: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.`self`, forKey: .`self`)
        try container.encode(previous, forKey: .previous)
        try container.encode(next, forKey: .next)
    }

    enum CodingKeys: String, CodingKey { case `self`, previous, next }
}

/// An always-empty JSON object (`"options": {}`).
struct EmptyObject: Encodable, Sendable {}

struct DomainView: Encodable, Sendable {
    let id: String
    let name: String
    let description: String
    let enabled: Bool
    let tags: [String] = []
    let options = EmptyObject()
    let links: SelfLink

    init(_ domain: Domain, urls: IdentityURLs) {
        id = domain.id.rawValue
        name = domain.name
        description = domain.description
        enabled = domain.enabled
        links = SelfLink(self: urls.v3 + "/domains/" + domain.id.rawValue)
    }
}

struct ProjectView: Encodable, Sendable {
    let id: String
    let name: String
    let domainId: String
    let description: String
    let enabled: Bool
    let parentId: String
    let isDomain = false
    let tags: [String] = []
    let options = EmptyObject()
    let links: SelfLink

    enum CodingKeys: String, CodingKey {
        case id, name, description, enabled, tags, options, links
        case domainId = "domain_id", parentId = "parent_id", isDomain = "is_domain"
    }

    init(_ project: Project, urls: IdentityURLs) {
        id = project.id.rawValue
        name = project.name
        domainId = project.domainId.rawValue
        description = project.description
        enabled = project.enabled
        parentId = project.domainId.rawValue
        links = SelfLink(self: urls.v3 + "/projects/" + project.id.rawValue)
    }
}

struct UserView: Encodable, Sendable {
    let user: User
    let urls: IdentityURLs

    enum CodingKeys: String, CodingKey {
        case id, name, enabled, description, email, options, links
        case domainId = "domain_id", defaultProjectId = "default_project_id", passwordExpiresAt = "password_expires_at"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(user.id, forKey: .id)
        try container.encode(user.name, forKey: .name)
        try container.encode(user.domainId, forKey: .domainId)
        try container.encode(user.enabled, forKey: .enabled)
        try container.encode(user.description, forKey: .description)
        try container.encodeIfPresent(user.email, forKey: .email)
        try container.encodeIfPresent(user.defaultProjectId, forKey: .defaultProjectId)
        try container.encodeNil(forKey: .passwordExpiresAt)
        try container.encode(EmptyObject(), forKey: .options)
        try container.encode(SelfLink(self: urls.v3 + "/users/" + user.id.rawValue), forKey: .links)
    }
}

struct RoleView: Encodable, Sendable {
    let role: Role
    let urls: IdentityURLs

    enum CodingKeys: String, CodingKey {
        case id, name, description, options, links
        case domainId = "domain_id"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(role.id, forKey: .id)
        try container.encode(role.name, forKey: .name)
        try container.encode(role.description, forKey: .description)
        try container.encodeNil(forKey: .domainId)
        try container.encode(EmptyObject(), forKey: .options)
        try container.encode(SelfLink(self: urls.v3 + "/roles/" + role.id.rawValue), forKey: .links)
    }
}

struct ServiceView: Encodable, Sendable {
    let id: String
    let type: String
    let name: String
    let description: String
    let enabled: Bool
    let links: SelfLink

    init(_ service: CatalogService, urls: IdentityURLs) {
        id = service.id.rawValue
        type = service.type
        name = service.name
        description = service.description
        enabled = service.enabled
        links = SelfLink(self: urls.v3 + "/services/" + service.id.rawValue)
    }
}

struct EndpointView: Encodable, Sendable {
    let id: String
    let serviceId: String
    let interface: String
    let region: String
    let regionId: String
    let url: String
    let enabled: Bool
    let links: SelfLink

    enum CodingKeys: String, CodingKey {
        case id, interface, region, url, enabled, links
        case serviceId = "service_id", regionId = "region_id"
    }

    init(_ endpoint: Endpoint, urls: IdentityURLs) {
        id = endpoint.id.rawValue
        serviceId = endpoint.serviceId.rawValue
        interface = endpoint.interface
        region = endpoint.regionId
        regionId = endpoint.regionId
        url = endpoint.url
        enabled = endpoint.enabled
        links = SelfLink(self: urls.v3 + "/endpoints/" + endpoint.id.rawValue)
    }
}

/// A Keystone region.
struct RegionView: Encodable, Sendable {
    let id: String
    let description = ""
    let links: SelfLink

    init(id: String, urls: IdentityURLs) {
        self.id = id
        links = SelfLink(self: urls.v3 + "/regions/" + id)
    }

    enum CodingKeys: String, CodingKey { case id, description, links, parentRegionId = "parent_region_id" }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(description, forKey: .description)
        try container.encodeNil(forKey: .parentRegionId)
        try container.encode(links, forKey: .links)
    }
}
