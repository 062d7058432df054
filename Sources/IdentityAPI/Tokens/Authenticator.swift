import Database
import HTTPSupport
import ServiceClients
import StratusCore

/// Turns an auth request into a token: checks the password or the presented token, resolves the scope, reads
/// the roles on it.
///
/// An unknown user and a wrong password fail alike: the same 401 message after the same KDF work.
struct Authenticator: Sendable {
    let tokens: TokenService
    var repositories: IdentityRepositories { tokens.backend.identity }

    func authenticate(_ request: AuthRequest) async throws -> (token: String, payload: TokenPayload) {
        let identity = request.auth.identity
        guard !identity.methods.isEmpty else {
            throw StratusError.badRequest("Invalid input for field 'auth.identity.methods': at least one method is required.")
        }
        let user: User
        var methods = identity.methods
        var expiresAt: Timestamp?
        var parentAuditId: String?
        if identity.methods.contains("password") {
            guard let password = identity.password else {
                throw StratusError.badRequest("Invalid input for field 'auth.identity': 'password' is a required property.")
            }
            user = try await checkPassword(password.user)
        } else if identity.methods.contains("token") {
            guard let reference = identity.token else {
                throw StratusError.badRequest("Invalid input for field 'auth.identity': 'token' is a required property.")
            }
            guard let presented = try await tokens.check(reference.id), let found = try await repositories.users.get(UserID(presented.userId)),
                found.enabled
            else {
                throw StratusError.unauthorized(Faults.authenticationRequired)
            }
            user = found
            methods = Array(Set(presented.methods + ["token"])).sorted()
            expiresAt = Timestamp(rawValue: presented.expiresAt)
            parentAuditId = presented.auditIds.last
        } else {
            throw StratusError.unauthorized("Attempted to authenticate with an unsupported method.")
        }
        let (scope, roles) = try await resolveScope(request.auth.scope, user: user)
        return try tokens.issue(user: user, methods: methods, scope: scope, roles: roles, expiresAt: expiresAt, parentAuditId: parentAuditId)
    }

    private func checkPassword(_ reference: AuthRequest.UserReference) async throws -> User {
        var user: User?
        if let id = reference.id {
            user = try await repositories.users.get(UserID(id))
        } else if let name = reference.name {
            guard let domainReference = reference.domain else {
                throw StratusError.badRequest("Invalid input for field 'auth.identity.password.user': 'domain' is required with 'name'.")
            }
            if let domain = try await findDomain(id: domainReference.id, name: domainReference.name), domain.enabled {
                user = try await repositories.users.list([.init("name", name), .init("domain_id", domain.id.rawValue)]).first
            }
        } else {
            throw StratusError.badRequest("Invalid input for field 'auth.identity.password.user': 'id' or 'name' is required.")
        }
        let matches = try await tokens.hasher.verify(reference.password, against: user?.passwordHash)
        guard let user, matches, user.enabled else {
            throw StratusError.unauthorized(Faults.authenticationRequired)
        }
        return user
    }

    private func findDomain(id: String?, name: String?) async throws -> Domain? {
        if let id { return try await repositories.domains.get(DomainID(id)) }
        if let name { return try await repositories.domains.list([.init("name", name)]).first }
        return nil
    }

    private func resolveScope(_ scope: AuthRequest.Scope?, user: User) async throws -> (TokenScope, [String]) {
        if let reference = scope?.project {
            let project = try await findProject(reference)
            let roles = try await roleNames(of: user.id, on: .project(project.id))
            guard !roles.isEmpty else {
                throw StratusError.unauthorized("User \(user.id) has no access to project \(project.id).")
            }
            return (.project(project.id), roles)
        }
        if let reference = scope?.domain {
            guard let domain = try await findDomain(id: reference.id, name: reference.name), domain.enabled else {
                throw StratusError.unauthorized("Could not find domain: \(reference.id ?? reference.name ?? "").")
            }
            let roles = try await roleNames(of: user.id, on: .domain(domain.id))
            guard !roles.isEmpty else {
                throw StratusError.unauthorized("User \(user.id) has no access to domain \(domain.id).")
            }
            return (.domain(domain.id), roles)
        }
        if scope?.system != nil {
            throw StratusError.unauthorized("System-scoped tokens are not supported; scope to a project.")
        }
        // Keystone scopes a token requested without scope to the user's default project, when the user has a role there.
        if scope == nil, let projectId = user.defaultProjectId, let project = try await repositories.projects.get(projectId),
            try await isEnabled(project)
        {
            let roles = try await roleNames(of: user.id, on: .project(projectId))
            if !roles.isEmpty { return (.project(projectId), roles) }
        }
        return (.unscoped, [])
    }

    private func findProject(_ reference: AuthRequest.Reference) async throws -> Project {
        var project: Project?
        if let id = reference.id {
            project = try await repositories.projects.get(ProjectID(id))
        } else if let name = reference.name {
            guard let domainReference = reference.domain else {
                throw StratusError.badRequest("Invalid input for field 'auth.scope.project': 'domain' is required with 'name'.")
            }
            if let domain = try await findDomain(id: domainReference.id, name: domainReference.name) {
                project = try await repositories.projects.list([.init("name", name), .init("domain_id", domain.id.rawValue)]).first
            }
        } else {
            throw StratusError.badRequest("Invalid input for field 'auth.scope.project': 'id' or 'name' is required.")
        }
        guard let project, try await isEnabled(project) else {
            throw StratusError.unauthorized("Could not find project: \(reference.id ?? reference.name ?? "").")
        }
        return project
    }

    /// A project is usable when it and its domain are enabled, as Keystone's `assert_project_enabled`.
    private func isEnabled(_ project: Project) async throws -> Bool {
        guard project.enabled else { return false }
        return try await repositories.domains.get(project.domainId)?.enabled == true
    }

    /// Names of the roles a user holds on a target.
    func roleNames(of userId: UserID, on target: RoleAssignment.Target) async throws -> [String] {
        let assignments = try await repositories.assignments.list(userId: userId, roleId: nil, target: target)
        var names: [String] = []
        for assignment in assignments {
            if let role = try await repositories.roles.get(assignment.roleId) { names.append(role.name) }
        }
        return names.sorted()
    }
}
