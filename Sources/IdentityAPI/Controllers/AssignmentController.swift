import Database
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// Role grants (`/v3/projects/{p}/users/{u}/roles/{r}` and the domain twin) and `GET /v3/role_assignments`.
///
/// Removing a grant revokes the user's tokens on that target, since tokens carry their roles.
struct AssignmentController: Sendable {
    let api: IdentityAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        for target in ["projects/{project_id}", "domains/{domain_id}"] {
            group.get("\(target)/users/{user_id}/roles", use: listGrants)
            group.put("\(target)/users/{user_id}/roles/{role_id}", use: grant)
            group.head("\(target)/users/{user_id}/roles/{role_id}", use: checkGrant)
            group.get("\(target)/users/{user_id}/roles/{role_id}", use: checkGrant)
            group.delete("\(target)/users/{user_id}/roles/{role_id}", use: revokeGrant)
        }
        group.get("role_assignments", use: list)
    }

    @Sendable func listGrants(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_grants")
        let (target, user, _) = try await parse(request, context: context, withRole: false)
        var roles: [RoleView] = []
        for assignment in try await api.repositories.assignments.list(userId: user, roleId: nil, target: target) {
            if let role = try await api.repositories.roles.get(assignment.roleId) { roles.append(RoleView(role: role, urls: api.urls)) }
        }
        return try JSONResponse.make(RoleList(roles: roles, links: CollectionLinks(self: api.urls.base + request.uri.path.dropPrefix("/identity"), previous: nil, next: nil)))
    }

    @Sendable func grant(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "create_grant")
        let (target, user, role) = try await parse(request, context: context, withRole: true)
        try await api.repositories.assignments.grant(RoleAssignment(userId: user, roleId: role!, target: target))
        return JSONResponse.empty()
    }

    @Sendable func checkGrant(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "check_grant")
        let (target, user, role) = try await parse(request, context: context, withRole: true)
        guard !(try await api.repositories.assignments.list(userId: user, roleId: role, target: target)).isEmpty else {
            throw StratusError.notFound(kind: "role assignment", id: "\(role!.rawValue) of user \(user.rawValue)")
        }
        return JSONResponse.empty()
    }

    @Sendable func revokeGrant(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "revoke_grant")
        let (target, user, role) = try await parse(request, context: context, withRole: true)
        try await api.backend.identityTransaction { repositories in
            guard try await repositories.assignments.revoke(RoleAssignment(userId: user, roleId: role!, target: target)) else {
                throw StratusError.notFound(kind: "role assignment", id: "\(role!.rawValue) of user \(user.rawValue)")
            }
            if case .project(let projectId) = target {
                try await api.tokens.revokeTokens(of: user, projectId: projectId, in: repositories)
            } else {
                try await api.tokens.revokeTokens(of: user, in: repositories)
            }
        }
        return JSONResponse.empty()
    }

    /// The target, user and role of a grant path, each of which must exist (404 naming the missing one).
    private func parse(_ request: Request, context: StratusRequestContext, withRole: Bool) async throws -> (RoleAssignment.Target, UserID, RoleID?) {
        let target: RoleAssignment.Target
        if let projectId = context.parameters.get("project_id") {
            target = .project(try await api.repositories.projects.require(ProjectID(projectId)).id)
        } else {
            target = .domain(try await api.repositories.domains.require(DomainID(try context.parameters.require("domain_id"))).id)
        }
        let user = try await api.repositories.users.require(UserID(try context.parameters.require("user_id"))).id
        guard withRole else { return (target, user, nil) }
        let role = try await api.repositories.roles.require(RoleID(try context.parameters.require("role_id"))).id
        return (target, user, role)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let query = request.uri.queryParameters
        let userId = query["user.id"].map { UserID(String($0)) }
        // A user may list its own assignments; everything else needs admin.
        if !(userId == auth.userId) { try IdentityPolicy.requireAdmin(auth, "list_role_assignments") }
        var target: RoleAssignment.Target?
        if let project = query["scope.project.id"] { target = .project(ProjectID(String(project))) }
        if let domain = query["scope.domain.id"] { target = .domain(DomainID(String(domain))) }
        if query["group.id"] != nil || query["scope.system"] != nil {
            return try JSONResponse.make(AssignmentList(roleAssignments: [], links: api.urls.collectionLinks("role_assignments")))
        }
        let assignments = try await api.repositories.assignments.list(
            userId: userId, roleId: query["role.id"].map { RoleID(String($0)) }, target: target
        )
        let includeNames = query["include_names"].map { ["true", "1", "yes", ""].contains($0.lowercased()) } ?? false
        var views: [AssignmentView] = []
        for assignment in assignments {
            views.append(try await AssignmentView.make(assignment, includeNames: includeNames, repositories: api.repositories, urls: api.urls))
        }
        return try JSONResponse.make(AssignmentList(roleAssignments: views, links: api.urls.collectionLinks("role_assignments")))
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
