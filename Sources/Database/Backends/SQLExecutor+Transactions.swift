import SQLKit

extension SQLExecutor {
    /// Inside a transaction: waits for, then holds until the transaction ends, the lock named `key`, so transactions
    /// that count before they write (a quota) cannot both see the same room. On PostgreSQL this is a transaction-scoped
    /// advisory lock; SQLite's transactions already hold its one write lock (`BEGIN IMMEDIATE`).
    public func lock(_ key: String) async throws {
        try await run { db in
            guard db.dialect.name == "postgresql" else { return }
            try await db.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: key)))").run()
        }
    }

    /// Runs `body` in a transaction: this executor's own when it is already inside one, a new one otherwise. For
    /// repository methods of several statements that must land together (a claim and the usage it adds).
    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        if let backend = self as? any SQLBackend { return try await backend.transaction(body) }
        return try await body(self)
    }
}
