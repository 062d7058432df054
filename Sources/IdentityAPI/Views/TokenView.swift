import Database
import StratusCore

/// `{"id", "name"}` of a domain inside a token.
struct NamedDomain: Encodable, Sendable {
    let id: String
    let name: String
}

/// The `token` object Keystone returns on issue and on validation.
struct TokenView: Encodable, Sendable {
    struct UserPart: Encodable, Sendable {
        let id: String
        let name: String
        let domain: NamedDomain
        let passwordExpiresAt: String? = nil

        enum CodingKeys: String, CodingKey { case id, name, domain, passwordExpiresAt = "password_expires_at" }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(domain, forKey: .domain)
            try container.encodeNil(forKey: .passwordExpiresAt)
        }
    }

    struct ProjectPart: Encodable, Sendable {
        let id: String
        let name: String
        let domain: NamedDomain
    }

    struct RolePart: Encodable, Sendable {
        let id: String
        let name: String
    }

    let methods: [String]
    let user: UserPart
    let auditIds: [String]
    let expiresAt: String
    let issuedAt: String
    let project: ProjectPart?
    let domain: NamedDomain?
    let isDomain: Bool?
    let roles: [RolePart]?
    let catalog: [CatalogEntry]?

    enum CodingKeys: String, CodingKey {
        case methods, user, project, domain, roles, catalog
        case auditIds = "audit_ids", expiresAt = "expires_at", issuedAt = "issued_at", isDomain = "is_domain"
    }

    /// Builds the view of `payload`, reading names and the catalog from the database.
    static func make(_ payload: TokenPayload, repositories: IdentityRepositories, includeCatalog: Bool) async throws -> TokenView {
        let user = try await repositories.users.require(UserID(payload.userId))
        let userDomain = try await repositories.domains.require(user.domainId)
        var project: ProjectPart?
        var domain: NamedDomain?
        if let projectId = payload.projectId {
            let found = try await repositories.projects.require(ProjectID(projectId))
            let projectDomain = try await repositories.domains.require(found.domainId)
            project = ProjectPart(id: found.id.rawValue, name: found.name, domain: NamedDomain(id: projectDomain.id.rawValue, name: projectDomain.name))
        }
        if let domainId = payload.domainId {
            let found = try await repositories.domains.require(DomainID(domainId))
            domain = NamedDomain(id: found.id.rawValue, name: found.name)
        }
        let scoped = project != nil || domain != nil
        var roles: [RolePart]?
        if scoped {
            let all = try await repositories.roles.list([])
            roles = payload.roles.compactMap { name in all.first { $0.name == name }.map { RolePart(id: $0.id.rawValue, name: name) } }
        }
        return TokenView(
            methods: payload.methods,
            user: UserPart(id: user.id.rawValue, name: user.name, domain: NamedDomain(id: userDomain.id.rawValue, name: userDomain.name)),
            auditIds: payload.auditIds,
            expiresAt: Timestamp(rawValue: payload.expiresAt).iso8601Microseconds,
            issuedAt: Timestamp(rawValue: payload.issuedAt).iso8601Microseconds,
            project: project,
            domain: domain,
            isDomain: project != nil ? false : nil,
            roles: roles,
            catalog: scoped && includeCatalog ? try await CatalogEntry.catalog(repositories) : nil
        )
    }
}

/// One service of the catalog in a token, with its enabled endpoints.
struct CatalogEntry: Encodable, Sendable {
    struct EndpointPart: Encodable, Sendable {
        let id: String
        let interface: String
        let region: String
        let regionId: String
        let url: String

        enum CodingKeys: String, CodingKey { case id, interface, region, url, regionId = "region_id" }
    }

    let id: String
    let type: String
    let name: String
    let endpoints: [EndpointPart]

    static func catalog(_ repositories: IdentityRepositories) async throws -> [CatalogEntry] {
        let endpoints = try await repositories.endpoints.list([.init("enabled", true)])
        return try await repositories.services.list([.init("enabled", true)]).map { service in
            CatalogEntry(
                id: service.id.rawValue, type: service.type, name: service.name,
                endpoints: endpoints.filter { $0.serviceId == service.id }.map {
                    EndpointPart(id: $0.id.rawValue, interface: $0.interface, region: $0.regionId, regionId: $0.regionId, url: $0.url)
                }
            )
        }
    }
}
