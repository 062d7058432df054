import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v3/domains`: admin-only management; a domain must be disabled before it is deleted, as in Keystone.
struct DomainController: Sendable {
    let api: IdentityAPI

    struct Fields: Decodable, Sendable {
        let name: String?
        let description: String?
        let enabled: Bool?
    }

    struct Body: Decodable, Sendable { let domain: Fields }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("domains", use: list)
        group.post("domains", use: create)
        group.get("domains/{domain_id}", use: show)
        group.patch("domains/{domain_id}", use: update)
        group.delete("domains/{domain_id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_domains")
        let filters = request.filters(["name", "enabled"])
        let domains = try await api.repositories.domains.list(filters).map { DomainView($0, urls: api.urls) }
        return try JSONResponse.make(DomainList(domains: domains, links: api.urls.collectionLinks("domains")))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "create_domain")
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).domain
        guard let name = fields.name else { throw StratusError.badRequest("Invalid input for field 'domain': 'name' is a required property.") }
        let domain = Domain(
            id: .generate(), name: try Validation.name(name, field: "domain.name", maxLength: 64),
            description: try Validation.text(fields.description, field: "domain.description") ?? "", enabled: fields.enabled ?? true
        )
        try await api.repositories.domains.create(domain)
        return try JSONResponse.make(["domain": DomainView(domain, urls: api.urls)], status: .created)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let id = DomainID(try context.parameters.require("domain_id"))
        guard auth.isAdmin || auth.domainId == id || auth.userDomainId == id else {
            throw StratusError.forbidden(Faults.forbidden("identity:get_domain"))
        }
        return try JSONResponse.make(["domain": DomainView(try await api.repositories.domains.require(id), urls: api.urls)])
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "update_domain")
        let id = DomainID(try context.parameters.require("domain_id"))
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).domain
        let updated = try await api.backend.identityTransaction { repositories in
            var domain = try await repositories.domains.require(id)
            if let name = fields.name { domain.name = try Validation.name(name, field: "domain.name", maxLength: 64) }
            if let description = try Validation.text(fields.description, field: "domain.description") { domain.description = description }
            if let enabled = fields.enabled { domain.enabled = enabled }
            try await repositories.domains.update(domain)
            if fields.enabled == false {
                for user in try await repositories.users.list([.init("domain_id", id.rawValue)]) {
                    try await api.tokens.revokeTokens(of: user.id, in: repositories)
                }
                for project in try await repositories.projects.list([.init("domain_id", id.rawValue)]) {
                    try await api.tokens.revokeTokens(of: project.id, in: repositories)
                }
                try await api.tokens.revokeTokens(of: id, in: repositories)
            }
            return domain
        }
        return try JSONResponse.make(["domain": DomainView(updated, urls: api.urls)])
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "delete_domain")
        let id = DomainID(try context.parameters.require("domain_id"))
        try await api.backend.identityTransaction { repositories in
            let domain = try await repositories.domains.require(id)
            guard !domain.enabled else {
                throw StratusError.forbidden("Cannot delete a domain that is enabled, please disable it first.")
            }
            guard try await repositories.projects.list([.init("domain_id", id.rawValue)]).isEmpty,
                try await repositories.users.list([.init("domain_id", id.rawValue)]).isEmpty
            else {
                throw StratusError.conflict("Cannot delete domain \(id): it still has projects or users.")
            }
            try await repositories.assignments.revokeAll(on: .domain(id))
            try await repositories.domains.delete(id)
        }
        return JSONResponse.empty()
    }
}
