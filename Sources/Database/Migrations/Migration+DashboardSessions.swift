import SQLKit

extension Migration {
    /// The dashboard's sessions, shared by every API process: the SHA-256 of the session id (the cookie's value, never
    /// stored), the user's token sealed with a key only that id gives, and the rest of the session in JSON.
    static let dashboardSessions = Migration(version: 16, name: "dashboard sessions") { db in
        try await db.create(table: "dashboard_sessions")
            .column("id_hash", type: .text, .primaryKey(autoIncrement: false))
            .column("sealed_token", type: .text, .notNull)
            .column("body", type: .text, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "dashboard_sessions_expiry").on("dashboard_sessions").column("expires_at").run()
    }
}
