import SQLKit

/// A dashboard session as stored: the dashboard seals the token and encodes the rest; rows are keyed by the SHA-256 of
/// the session id, which only the browser's cookie holds.
public struct StoredDashboardSession: Sendable, Equatable {
    public var sealedToken: String
    public var body: String
    /// Milliseconds since 1970.
    public var expiresAt: Int64

    public init(sealedToken: String, body: String, expiresAt: Int64) {
        self.sealedToken = sealedToken
        self.body = body
        self.expiresAt = expiresAt
    }
}

/// The dashboard's sessions, in the database so that every API process serves every browser.
public protocol DashboardSessionRepository: Sendable {
    /// Adds or replaces the session whose id hashes to `idHash`.
    func save(_ session: StoredDashboardSession, idHash: String) async throws
    /// The session while it has not expired.
    func find(idHash: String, now: Int64) async throws -> StoredDashboardSession?
    func remove(idHash: String) async throws
    /// Drops the sessions that expired.
    func prune(now: Int64) async throws
}

struct SQLDashboardSessionRepository: DashboardSessionRepository {
    let executor: any SQLExecutor

    func save(_ session: StoredDashboardSession, idHash: String) async throws {
        try await executor.run { db in
            try await db.insert(into: "dashboard_sessions")
                .columns("id_hash", "sealed_token", "body", "expires_at")
                .values(SQLBind(idHash), SQLBind(session.sealedToken), SQLBind(session.body), SQLBind(session.expiresAt))
                .onConflict(with: ["id_hash"]) { $0.set(excludedValueOf: "sealed_token").set(excludedValueOf: "body").set(excludedValueOf: "expires_at") }
                .run()
        }
    }

    func find(idHash: String, now: Int64) async throws -> StoredDashboardSession? {
        try await executor.run { db in
            guard let row = try await db.select().columns("sealed_token", "body", "expires_at").from("dashboard_sessions")
                .where("id_hash", .equal, idHash).where("expires_at", .greaterThan, now).first()
            else { return nil }
            return StoredDashboardSession(
                sealedToken: try row.decode(column: "sealed_token", as: String.self), body: try row.decode(column: "body", as: String.self),
                expiresAt: try row.decode(column: "expires_at", as: Int64.self)
            )
        }
    }

    func remove(idHash: String) async throws {
        try await executor.run { db in try await db.delete(from: "dashboard_sessions").where("id_hash", .equal, idHash).run() }
    }

    func prune(now: Int64) async throws {
        try await executor.run { db in try await db.delete(from: "dashboard_sessions").where("expires_at", .lessThanOrEqual, now).run() }
    }
}

extension SQLExecutor {
    public var dashboardSessions: any DashboardSessionRepository { SQLDashboardSessionRepository(executor: self) }
}
