public import Database
public import HTTPSupport
public import Hummingbird
public import ServiceClients
import StratusCore

/// The Keystone-v3-compatible identity service, mounted at `/identity`.
public struct IdentityAPI: Sendable {
    let backend: any SQLBackend
    public let tokens: TokenService
    let hasher: PasswordHasher
    let urls: IdentityURLs

    public init(backend: any SQLBackend, tokens: TokenService, hasher: PasswordHasher, urls: IdentityURLs) {
        self.backend = backend
        self.tokens = tokens
        self.hasher = hasher
        self.urls = urls
    }

    var repositories: IdentityRepositories { backend.identity }
    var authenticator: Authenticator { Authenticator(tokens: tokens) }

    /// Adds every identity route under `/identity`.
    public func addRoutes(to router: Router<StratusRequestContext>) {
        let root = router.group("identity")
        VersionController(urls: urls).addRoutes(to: root)
        let v3 = root.group("v3")
        AuthController(api: self).addPublicRoutes(to: v3)
        let authenticated = v3.group().add(middleware: AuthMiddleware(validator: tokens))
        AuthController(api: self).addRoutes(to: authenticated)
        DomainController(api: self).addRoutes(to: authenticated)
        ProjectController(api: self).addRoutes(to: authenticated)
        UserController(api: self).addRoutes(to: authenticated)
        RoleController(api: self).addRoutes(to: authenticated)
        AssignmentController(api: self).addRoutes(to: authenticated)
        CatalogController(api: self).addRoutes(to: authenticated)
    }
}

extension IdentityAPI {
    /// The projects a user holds any role on, each once.
    func projects(of userId: UserID, enabledOnly: Bool) async throws -> [Project] {
        var projects: [Project] = []
        for assignment in try await repositories.assignments.list(userId: userId, roleId: nil, target: nil) {
            guard case .project(let id) = assignment.target, !projects.contains(where: { $0.id == id }),
                let project = try await repositories.projects.get(id), project.enabled || !enabledOnly
            else { continue }
            projects.append(project)
        }
        return projects
    }
}
