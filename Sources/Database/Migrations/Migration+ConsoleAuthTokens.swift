import SQLKit

extension Migration {
    /// Nova's console auth tokens: the token's SHA-256 (never the token), the instance and host it was made for, and
    /// where the proxy connects (a `RemoteConsole` in JSON).
    static let consoleAuthTokens = Migration(version: 11, name: "console auth tokens") { db in
        try await db.create(table: "console_auth_tokens")
            .column("token_hash", type: .text, .primaryKey(autoIncrement: false))
            .column("instance_id", type: .text, .notNull)
            .column("console_type", type: .text, .notNull)
            .column("host", type: .text, .notNull)
            .column("console", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("expires_at", type: .bigint, .notNull)
            .run()
        try await db.create(index: "console_auth_tokens_instance").on("console_auth_tokens").column("instance_id").run()
    }
}
