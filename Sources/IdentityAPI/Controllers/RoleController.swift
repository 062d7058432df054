import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v3/roles`: admin-only. Deleting a role revokes the tokens of everyone who held it.
struct RoleController: Sendable {
    let api: IdentityAPI

    struct Fields: Decodable, Sendable {
        let name: String?
        let description: String?
    }

    struct Body: Decodable, Sendable { let role: Fields }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("roles", use: list)
        group.post("roles", use: create)
        group.get("roles/{role_id}", use: show)
        group.patch("roles/{role_id}", use: update)
        group.delete("roles/{role_id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_roles")
        let roles = try await api.repositories.roles.list(request.filters(["name"]))
        return try JSONResponse.make(RoleList(roles: roles.map { RoleView(role: $0, urls: api.urls) }, links: api.urls.collectionLinks("roles")))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "create_role")
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).role
        guard let name = fields.name else { throw StratusError.badRequest("Invalid input for field 'role': 'name' is a required property.") }
        let role = Role(
            id: .generate(), name: try Validation.name(name, field: "role.name"),
            description: try Validation.text(fields.description, field: "role.description") ?? ""
        )
        try await api.repositories.roles.create(role)
        return try JSONResponse.make(["role": RoleView(role: role, urls: api.urls)], status: .created)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "get_role")
        let id = RoleID(try context.parameters.require("role_id"))
        return try JSONResponse.make(["role": RoleView(role: try await api.repositories.roles.require(id), urls: api.urls)])
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "update_role")
        let id = RoleID(try context.parameters.require("role_id"))
        var request = request
        let fields = try await request.decodeJSON(Body.self, context: context).role
        let updated = try await api.backend.identityTransaction { repositories in
            var role = try await repositories.roles.require(id)
            if let name = fields.name {
                let name = try Validation.name(name, field: "role.name")
                if name != role.name {
                    // Tokens carry role names: a renamed role must not keep authorizing under its old name.
                    for assignment in try await repositories.assignments.list(userId: nil, roleId: id, target: nil) {
                        try await api.tokens.revokeTokens(of: assignment.userId, in: repositories)
                    }
                }
                role.name = name
            }
            if let description = try Validation.text(fields.description, field: "role.description") { role.description = description }
            try await repositories.roles.update(role)
            return role
        }
        return try JSONResponse.make(["role": RoleView(role: updated, urls: api.urls)])
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "delete_role")
        let id = RoleID(try context.parameters.require("role_id"))
        try await api.backend.identityTransaction { repositories in
            _ = try await repositories.roles.require(id)
            for assignment in try await repositories.assignments.list(userId: nil, roleId: id, target: nil) {
                try await api.tokens.revokeTokens(of: assignment.userId, in: repositories)
            }
            try await repositories.roles.delete(id)
        }
        return JSONResponse.empty()
    }
}
