import Database
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v3/auth/...`: issue, validate, check and revoke tokens; what the caller may scope to; the catalog.
struct AuthController: Sendable {
    let api: IdentityAPI

    func addPublicRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("auth/tokens", use: issue)
    }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("auth/tokens", use: validate)
        group.head("auth/tokens", use: check)
        group.delete("auth/tokens", use: revoke)
        group.get("auth/projects", use: projects)
        group.get("auth/domains", use: domains)
        group.get("auth/catalog", use: catalog)
    }

    @Sendable func issue(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        let body = try await request.decodeJSON(AuthRequest.self, context: context)
        let (token, payload) = try await api.authenticator.authenticate(body)
        let view = try await TokenView.make(payload, repositories: api.repositories, includeCatalog: includeCatalog(request))
        return try JSONResponse.make(["token": view], status: .created, headers: [.subjectToken: token])
    }

    @Sendable func validate(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let (token, payload) = try await subject(request, context: context, action: "validate_token")
        let view = try await TokenView.make(payload, repositories: api.repositories, includeCatalog: includeCatalog(request))
        return try JSONResponse.make(["token": view], headers: [.subjectToken: token])
    }

    @Sendable func check(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let (token, _) = try await subject(request, context: context, action: "check_token")
        return JSONResponse.empty(status: .ok, headers: [.subjectToken: token])
    }

    @Sendable func revoke(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let (_, payload) = try await subject(request, context: context, action: "revoke_token")
        try await api.tokens.revoke(payload)
        return JSONResponse.empty()
    }

    @Sendable func projects(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let projects = try await api.projects(of: auth.userId, enabledOnly: true).map { ProjectView($0, urls: api.urls) }
        return try JSONResponse.make(ProjectList(projects: projects, links: api.urls.collectionLinks("auth/projects")))
    }

    @Sendable func domains(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        var domains: [DomainView] = []
        for assignment in try await api.repositories.assignments.list(userId: auth.userId, roleId: nil, target: nil) {
            guard case .domain(let id) = assignment.target, !domains.contains(where: { $0.id == id.rawValue }),
                let domain = try await api.repositories.domains.get(id), domain.enabled
            else { continue }
            domains.append(DomainView(domain, urls: api.urls))
        }
        return try JSONResponse.make(DomainList(domains: domains, links: api.urls.collectionLinks("auth/domains")))
    }

    @Sendable func catalog(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        guard auth.projectId != nil || auth.domainId != nil else {
            throw StratusError.forbidden("The service catalog is only available with a scoped token.")
        }
        struct Catalog: Encodable { let catalog: [CatalogEntry]; let links: CollectionLinks }
        let entries = try await CatalogEntry.catalog(api.repositories)
        return try JSONResponse.make(Catalog(catalog: entries, links: api.urls.collectionLinks("auth/catalog")))
    }

    /// The `X-Subject-Token` being inspected: the caller's own token, or any token for an admin.
    private func subject(_ request: Request, context: StratusRequestContext, action: String) async throws -> (String, TokenPayload) {
        let auth = try context.requireAuth()
        guard let token = request.headers[.subjectToken], !token.isEmpty else {
            throw StratusError.badRequest("The X-Subject-Token header is required.")
        }
        let payload = try await api.tokens.validateSubject(token)
        try IdentityPolicy.requireAdminOrSelf(auth, user: UserID(payload.userId), action)
        return (token, payload)
    }

    private func includeCatalog(_ request: Request) -> Bool {
        request.uri.queryParameters["nocatalog"] == nil
    }
}
