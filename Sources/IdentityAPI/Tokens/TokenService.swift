import Foundation
public import Database
public import HTTPSupport
public import ServiceClients
public import StratusCore

/// Issues, validates and revokes tokens.
///
/// Validation opens the sealed token (no database) and then checks the revocation events, so a revoked
/// token, or one of a user disabled, deleted or stripped of a role since it was issued, stops working at once.
public struct TokenService: TokenValidator {
    let backend: any SQLBackend
    let codec: TokenCodec
    let hasher: PasswordHasher
    let clock: any WallClock
    /// Seconds a token lives (Keystone's `[token] expiration`, default one hour).
    let lifetime: Int64

    public init(backend: any SQLBackend, keys: TokenKeyRing, hasher: PasswordHasher, clock: any WallClock, lifetime: Int64 = 3600) {
        self.backend = backend
        self.codec = TokenCodec(ring: keys)
        self.hasher = hasher
        self.clock = clock
        self.lifetime = lifetime
    }

    /// The caller of a request (`X-Auth-Token`): 401 unless valid.
    public func validate(token: String) async throws -> AuthContext {
        guard let payload = try await check(token) else {
            throw StratusError.unauthorized(Faults.authenticationRequired)
        }
        return payload.authContext
    }

    /// A token being inspected (`X-Subject-Token`): 404 unless valid, as Keystone answers.
    func validateSubject(_ token: String) async throws -> TokenPayload {
        guard let payload = try await check(token) else {
            throw StratusError.notFound(kind: "token", id: String(token.prefix(16)) + "…")
        }
        return payload
    }

    /// The payload of a token that opens, has not expired and is not revoked.
    func check(_ token: String) async throws -> TokenPayload? {
        guard let payload = codec.open(token), payload.expiresAt > Timestamp(clock.now()).rawValue else { return nil }
        let revoked = try await backend.identity.revocations.isRevoked(
            auditIds: payload.auditIds, userId: UserID(payload.userId), projectId: payload.projectId.map { ProjectID($0) },
            domainId: payload.domainId.map { DomainID($0) }, issuedAt: Timestamp(rawValue: payload.issuedAt)
        )
        return revoked ? nil : payload
    }

    /// Revokes one token chain (the token and any rescoped from it).
    func revoke(_ payload: TokenPayload) async throws {
        try await record(RevocationEvent(auditId: payload.auditIds.first, issuedBefore: Timestamp(clock.now())))
    }

    /// Revokes every token of a user (optionally only those scoped to a project) issued until now.
    func revokeTokens(of userId: UserID, projectId: ProjectID? = nil, in repositories: IdentityRepositories) async throws {
        try await repositories.revocations.add(RevocationEvent(userId: userId, projectId: projectId, issuedBefore: Timestamp(clock.now())))
    }

    /// Revokes every token scoped to a project issued until now.
    func revokeTokens(of projectId: ProjectID, in repositories: IdentityRepositories) async throws {
        try await repositories.revocations.add(RevocationEvent(projectId: projectId, issuedBefore: Timestamp(clock.now())))
    }

    /// Revokes every token scoped to a domain issued until now.
    func revokeTokens(of domainId: DomainID, in repositories: IdentityRepositories) async throws {
        try await repositories.revocations.add(RevocationEvent(domainId: domainId, issuedBefore: Timestamp(clock.now())))
    }

    private func record(_ event: RevocationEvent) async throws {
        let repositories = backend.identity
        try await repositories.revocations.add(event)
        // Events older than the longest-lived token can no longer match anything.
        try await repositories.revocations.purge(issuedBefore: Timestamp(clock.now()).adding(seconds: -lifetime - 60))
    }

    /// Seals a new token for `user` on `scope` with `roles`.
    func issue(
        user: User, methods: [String], scope: TokenScope, roles: [String], expiresAt: Timestamp? = nil,
        parentAuditId: String? = nil
    ) throws -> (token: String, payload: TokenPayload) {
        let now = Timestamp(clock.now())
        var auditIds: [String] = [Self.newAuditId()]
        if let parentAuditId { auditIds.append(parentAuditId) }
        let payload = TokenPayload(
            userId: user.id.rawValue, userDomainId: user.domainId.rawValue, methods: methods,
            projectId: scope.projectId?.rawValue, domainId: scope.domainId?.rawValue, roles: roles.sorted(),
            auditIds: auditIds, issuedAt: now.rawValue,
            expiresAt: expiresAt?.rawValue ?? now.adding(seconds: lifetime).rawValue
        )
        return (try codec.seal(payload), payload)
    }
}

extension TokenService {
    /// A token for an identity of the cloud's own services (the compute hosts' `stratus-compute`, as Nova's service
    /// user), which they present where they call another service over HTTP as themselves rather than as a user:
    /// the context's user, roles and expiry, with an audit id of its own, so it can be revoked like any other.
    public func serviceToken(for auth: AuthContext) throws -> String {
        let payload = TokenPayload(
            userId: auth.userId.rawValue, userDomainId: auth.userDomainId.rawValue, methods: auth.methods, projectId: auth.projectId?.rawValue,
            domainId: auth.domainId?.rawValue, roles: auth.roles.sorted(), auditIds: [Self.newAuditId()], issuedAt: auth.issuedAt.rawValue,
            expiresAt: auth.expiresAt.rawValue
        )
        return try codec.seal(payload)
    }

    /// 16 random bytes in URL-safe base64, as Keystone's audit ids.
    static func newAuditId() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes: [UInt8] = (0..<16).map { _ in UInt8.random(in: UInt8.min...UInt8.max, using: &generator) }
        return TokenCodec.base64url(Data(bytes))
    }
}

/// What a token is scoped to.
enum TokenScope: Sendable, Equatable {
    case unscoped
    case project(ProjectID)
    case domain(DomainID)

    var projectId: ProjectID? {
        if case .project(let id) = self { id } else { nil }
    }

    var domainId: DomainID? {
        if case .domain(let id) = self { id } else { nil }
    }
}

extension TokenPayload {
    var authContext: AuthContext {
        AuthContext(
            userId: UserID(userId), userDomainId: DomainID(userDomainId), projectId: projectId.map { ProjectID($0) },
            domainId: domainId.map { DomainID($0) }, roles: roles, methods: methods, auditIds: auditIds,
            issuedAt: Timestamp(rawValue: issuedAt), expiresAt: Timestamp(rawValue: expiresAt)
        )
    }
}
