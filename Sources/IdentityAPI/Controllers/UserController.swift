import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v3/users`: admin manages; a user may read itself, list its projects and change its own password.
struct UserController: Sendable {
    let api: IdentityAPI

    struct Fields: Decodable, Sendable {
        let name: String?
        let domainId: String?
        let defaultProjectId: String?
        let password: String?
        let description: String?
        let email: String?
        let enabled: Bool?

        enum CodingKeys: String, CodingKey {
            case name, password, description, email, enabled
            case domainId = "domain_id", defaultProjectId = "default_project_id"
        }
    }

    struct Body: Decodable, Sendable { let user: Fields }

    struct PasswordChange: Decodable, Sendable {
        struct Fields: Decodable, Sendable {
            let password: String
            let originalPassword: String

            enum CodingKeys: String, CodingKey { case password, originalPassword = "original_password" }
        }

        let user: Fields
    }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("users", use: list)
        group.post("users", use: create)
        group.get("users/{user_id}", use: show)
        group.patch("users/{user_id}", use: update)
        group.delete("users/{user_id}", use: delete)
        group.post("users/{user_id}/password", use: changePassword)
        group.get("users/{user_id}/projects", use: projects)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_users")
        let users = try await api.repositories.users.list(request.filters(["name", "domain_id", "enabled"]))
        return try JSONResponse.make(UserList(users: users.map { UserView(user: $0, urls: api.urls) }, links: api.urls.collectionLinks("users")))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try IdentityPolicy.requireAdmin(auth, "create_user")
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).user
        guard let name = fields.name else { throw StratusError.badRequest("Invalid input for field 'user': 'name' is a required property.") }
        let domainId = fields.domainId.map { DomainID($0) } ?? auth.domainId ?? .defaultDomain
        guard try await api.repositories.domains.get(domainId) != nil else {
            throw StratusError.badRequest("Invalid input for field 'user.domain_id': domain \(domainId) does not exist.")
        }
        let defaultProject = try await checkedProject(fields.defaultProjectId)
        let user = User(
            id: .generate(), name: try Validation.name(name, field: "user.name"), domainId: domainId,
            defaultProjectId: defaultProject, description: try Validation.text(fields.description, field: "user.description") ?? "",
            email: try Validation.text(fields.email, field: "user.email", maxLength: 255), enabled: fields.enabled ?? true,
            passwordHash: try await hashedPassword(fields.password)
        )
        try await api.repositories.users.create(user)
        return try JSONResponse.make(["user": UserView(user: user, urls: api.urls)], status: .created)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = UserID(try context.parameters.require("user_id"))
        let auth = try context.requireAuth()
        // As Keystone: the target is looked up first, so a missing user is 404 for everyone.
        let user = try await api.repositories.users.require(id)
        try IdentityPolicy.requireAdminOrSelf(auth, user: id, "get_user")
        return try JSONResponse.make(["user": UserView(user: user, urls: api.urls)])
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "update_user")
        let id = UserID(try context.parameters.require("user_id"))
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).user
        let defaultProject = try await checkedProject(fields.defaultProjectId)
        let passwordHash = try await hashedPassword(fields.password)
        let updated = try await api.backend.identityTransaction { repositories in
            var user = try await repositories.users.require(id)
            if let name = fields.name { user.name = try Validation.name(name, field: "user.name") }
            if let description = try Validation.text(fields.description, field: "user.description") { user.description = description }
            if let email = try Validation.text(fields.email, field: "user.email", maxLength: 255) { user.email = email }
            if let defaultProject { user.defaultProjectId = defaultProject }
            if let enabled = fields.enabled { user.enabled = enabled }
            if let passwordHash { user.passwordHash = passwordHash }
            try await repositories.users.update(user)
            if fields.enabled == false || passwordHash != nil {
                try await api.tokens.revokeTokens(of: id, in: repositories)
            }
            return user
        }
        return try JSONResponse.make(["user": UserView(user: updated, urls: api.urls)])
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "delete_user")
        let id = UserID(try context.parameters.require("user_id"))
        try await api.backend.identityTransaction { repositories in
            _ = try await repositories.users.require(id)
            try await api.tokens.revokeTokens(of: id, in: repositories)
            try await repositories.users.delete(id)
        }
        return JSONResponse.empty()
    }

    @Sendable func changePassword(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = UserID(try context.parameters.require("user_id"))
        let auth = try context.requireAuth()
        guard auth.userId == id else { throw StratusError.forbidden(Faults.forbidden("identity:change_password")) }
        var request = request
        let fields = try await request.decodeJSON(PasswordChange.self, context: context).user
        let user = try await api.repositories.users.require(id)
        guard try await api.hasher.verify(fields.originalPassword, against: user.passwordHash) else {
            throw StratusError.unauthorized(Faults.authenticationRequired)
        }
        let hash = try await api.hasher.hash(try Validation.password(fields.password, field: "user.password"))
        try await api.backend.identityTransaction { repositories in
            var current = try await repositories.users.require(id)
            current.passwordHash = hash
            try await repositories.users.update(current)
            try await api.tokens.revokeTokens(of: id, in: repositories)
        }
        return JSONResponse.empty()
    }

    @Sendable func projects(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = UserID(try context.parameters.require("user_id"))
        try IdentityPolicy.requireAdminOrSelf(try context.requireAuth(), user: id, "list_user_projects")
        _ = try await api.repositories.users.require(id)
        let projects = try await api.projects(of: id, enabledOnly: false).map { ProjectView($0, urls: api.urls) }
        return try JSONResponse.make(ProjectList(projects: projects, links: api.urls.collectionLinks("users/\(id)/projects")))
    }

    /// The hash of a new password from a request, validated first.
    private func hashedPassword(_ password: String?) async throws -> String? {
        guard let password else { return nil }
        return try await api.hasher.hash(try Validation.password(password, field: "user.password"))
    }

    /// The default project named in a request, which must exist.
    private func checkedProject(_ id: String?) async throws -> ProjectID? {
        guard let id else { return nil }
        guard try await api.repositories.projects.get(ProjectID(id)) != nil else {
            throw StratusError.badRequest("Invalid input for field 'user.default_project_id': project \(id) does not exist.")
        }
        return ProjectID(id)
    }
}
