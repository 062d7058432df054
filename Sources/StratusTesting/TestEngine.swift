public import Database
import Foundation
public import Logging
import SQLKit

/// The engines every repository test runs on. PostgreSQL comes from `STRATUS_TEST_POSTGRES_URL`
/// (scripts/with-postgres.sh starts a throw-away cluster); in CI its absence is a failure, not a skip.
public enum TestEngine: String, CaseIterable, Sendable {
    case sqlite
    case postgres

    static var postgresURL: String? { ProcessInfo.processInfo.environment["STRATUS_TEST_POSTGRES_URL"] }

    public static let logger: Logger = {
        var logger = Logger(label: "stratus.test.db")
        logger.logLevel = .error
        return logger
    }()

    /// Runs `body` on a fresh, migrated database of this engine: SQLite in memory, or a new PostgreSQL schema.
    public func withMigratedBackend(_ body: @Sendable (any SQLBackend) async throws -> Void) async throws {
        try await withBackend { backend in
            try await Migrator(logger: Self.logger).migrate(backend)
            try await body(backend)
        }
    }

    /// Runs `body` on a fresh, empty database of this engine.
    public func withBackend(_ body: @Sendable (any SQLBackend) async throws -> Void) async throws {
        switch self {
        case .sqlite:
            let backend = try await DatabaseLocation.sqliteInMemory.open(logger: Self.logger)
            try await backend.whileRunning { try await body(backend) }
        case .postgres:
            guard let url = Self.postgresURL else {
                if ProcessInfo.processInfo.environment["CI"] != nil {
                    throw TestCloudError.unexpected("STRATUS_TEST_POSTGRES_URL is not set: run the tests through scripts/with-postgres.sh")
                } else {
                    print("skipping PostgreSQL: STRATUS_TEST_POSTGRES_URL is not set (scripts/with-postgres.sh sets it)")
                }
                return
            }
            let schema = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
            let admin = try await DatabaseLocation.postgres(url: url).open(logger: Self.logger)
            try await admin.whileRunning {
                try await admin.run { db in try await db.raw("CREATE SCHEMA \(ident: String(schema))").run() }
            }
            let backend = try await DatabaseLocation.postgres(url: url + "?search_path=\(schema)").open(logger: Self.logger)
            try await backend.whileRunning { try await body(backend) }
            let cleanup = try await DatabaseLocation.postgres(url: url).open(logger: Self.logger)
            try await cleanup.whileRunning {
                try await cleanup.run { db in try await db.raw("DROP SCHEMA \(ident: String(schema)) CASCADE").run() }
            }
        }
    }
}
