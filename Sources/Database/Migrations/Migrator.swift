public import Logging
import SQLKit
import StratusCore

import Foundation

/// Brings a database's schema up to date, one transaction per migration, recording each version applied.
public struct Migrator: Sendable {
    let migrations: [Migration]
    let logger: Logger

    public init(migrations: [Migration] = Migration.all, logger: Logger) {
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies the migrations not yet applied; returns the versions it applied.
    @discardableResult
    public func migrate(_ backend: any SQLBackend) async throws -> [Int] {
        // Processes starting together on one database (two `stratus api`) migrate one at a time: the others wait for
        // the lock, then find each version applied.
        try await backend.transaction { executor in
            try await executor.lock("schema migrations")
            try await executor.run { db in
                try await db.create(table: "schema_migrations")
                    .ifNotExists()
                    .column("version", type: .bigint, .primaryKey(autoIncrement: false))
                    .column("name", type: .text, .notNull)
                    .column("applied_at", type: .bigint, .notNull)
                    .run()
            }
        }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let didApply = try await backend.transaction { executor in
                try await executor.lock("schema migrations")
                return try await executor.run { db in
                    let existing = try await db.select().column("version").from("schema_migrations")
                        .where("version", .equal, migration.version)
                        .first()
                    guard existing == nil else { return false }
                    try await migration.apply(db)
                    try await db.insert(into: "schema_migrations")
                        .columns("version", "name", "applied_at")
                        .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Timestamp(Date()).rawValue))
                        .run()
                    return true
                }
            }
            if didApply {
                logger.info("applied migration \(migration.version) \(migration.name)")
                applied.append(migration.version)
            }
        }
        return applied
    }

    /// The highest version applied, or 0 for an empty database.
    public func currentVersion(_ backend: any SQLBackend) async throws -> Int {
        try await backend.run { db in
            try await db.select().column("version").from("schema_migrations")
                .orderBy("version", .descending).limit(1)
                .first(decodingColumn: "version", as: Int.self) ?? 0
        }
    }
}
