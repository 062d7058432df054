import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v3/projects`: admin manages; a token scoped to a project may read that project.
struct ProjectController: Sendable {
    let api: IdentityAPI

    struct Fields: Decodable, Sendable {
        let name: String?
        let domainId: String?
        let description: String?
        let enabled: Bool?

        enum CodingKeys: String, CodingKey { case name, description, enabled, domainId = "domain_id" }
    }

    struct Body: Decodable, Sendable { let project: Fields }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("projects", use: list)
        group.post("projects", use: create)
        group.get("projects/{project_id}", use: show)
        group.patch("projects/{project_id}", use: update)
        group.delete("projects/{project_id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_projects")
        var filters = request.filters(["name", "domain_id", "enabled"])
        if let parent = request.uri.queryParameters["parent_id"] { filters.append(.init("domain_id", String(parent))) }
        let projects = try await api.repositories.projects.list(filters).map { ProjectView($0, urls: api.urls) }
        return try JSONResponse.make(ProjectList(projects: projects, links: api.urls.collectionLinks("projects")))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try IdentityPolicy.requireAdmin(auth, "create_project")
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).project
        guard let name = fields.name else { throw StratusError.badRequest("Invalid input for field 'project': 'name' is a required property.") }
        let domainId = fields.domainId.map { DomainID($0) } ?? auth.domainId ?? .defaultDomain
        guard try await api.repositories.domains.get(domainId) != nil else {
            throw StratusError.badRequest("Invalid input for field 'project.domain_id': domain \(domainId) does not exist.")
        }
        let project = Project(
            id: .generate(), name: try Validation.name(name, field: "project.name", maxLength: 64), domainId: domainId,
            description: try Validation.text(fields.description, field: "project.description") ?? "", enabled: fields.enabled ?? true
        )
        try await api.repositories.projects.create(project)
        return try JSONResponse.make(["project": ProjectView(project, urls: api.urls)], status: .created)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = ProjectID(try context.parameters.require("project_id"))
        let auth = try context.requireAuth()
        let project = try await api.repositories.projects.require(id)
        try IdentityPolicy.requireAdminOrScoped(auth, project: id, "get_project")
        return try JSONResponse.make(["project": ProjectView(project, urls: api.urls)])
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "update_project")
        let id = ProjectID(try context.parameters.require("project_id"))
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).project
        let updated = try await api.backend.identityTransaction { repositories in
            var project = try await repositories.projects.require(id)
            if let domainId = fields.domainId, domainId != project.domainId.rawValue {
                throw StratusError.badRequest("Invalid input for field 'project.domain_id': a project cannot move to another domain.")
            }
            if let name = fields.name { project.name = try Validation.name(name, field: "project.name", maxLength: 64) }
            if let description = try Validation.text(fields.description, field: "project.description") { project.description = description }
            if let enabled = fields.enabled { project.enabled = enabled }
            try await repositories.projects.update(project)
            if fields.enabled == false { try await api.tokens.revokeTokens(of: id, in: repositories) }
            return project
        }
        return try JSONResponse.make(["project": ProjectView(updated, urls: api.urls)])
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "delete_project")
        let id = ProjectID(try context.parameters.require("project_id"))
        try await api.backend.identityTransaction { repositories in
            _ = try await repositories.projects.require(id)
            try await repositories.assignments.revokeAll(on: .project(id))
            try await api.tokens.revokeTokens(of: id, in: repositories)
            try await repositories.projects.delete(id)
        }
        return JSONResponse.empty()
    }
}
