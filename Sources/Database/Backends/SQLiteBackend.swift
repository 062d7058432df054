public import Logging
public import SQLKit
import StratusCore
import SQLiteKit
import SQLiteNIO
public import ServiceLifecycle

/// The embedded database: one SQLite connection in write-ahead-log mode.
///
/// Every use is serialized through one async lock, so concurrent requests queue instead of failing
/// with "database is locked", and a transaction never sees another request's statements.
public final class SQLiteBackend: SQLBackend {
    private let connection: SQLiteConnection
    private let mutex = AsyncMutex()
    /// Every writer of the database is this process: an enqueue wakes the consumers directly.
    public let messageSignal = MessageSignal()
    public var postgres: PostgresStatements? { nil }

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Opens (creating if needed) the database file at `path`, or an in-memory database when `path` is nil.
    public static func open(path: String?, logger: Logger) async throws -> SQLiteBackend {
        let connection = try await SQLiteConnection.open(storage: path.map { .file(path: $0) } ?? .memory, logger: logger)
        let db = connection.sql()
        if path != nil {
            try await db.raw("PRAGMA journal_mode=WAL").run()
            try await db.raw("PRAGMA synchronous=NORMAL").run()
        }
        // Another process (e.g. `stratus db migrate` while the cloud runs) waits instead of failing.
        try await db.raw("PRAGMA busy_timeout=10000").run()
        try await db.raw("PRAGMA foreign_keys=ON").run()
        return SQLiteBackend(connection: connection)
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        let db = connection.sql()
        return try await mutex.withLock {
            try await withTranslatedErrors(Self.translate) { try await body(db) }
        }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        let db = connection.sql()
        return try await mutex.withLock {
            try await withTranslatedErrors(Self.translate) {
                try await db.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(TransactionExecutor(db: db, translate: Self.translate, messageSignal: messageSignal))
                    try await db.raw("COMMIT").run()
                    return result
                } catch {
                    try? await db.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    public var services: [any Service] { [] }

    public func forwardMessageNotifications() async throws {}

    public func close() async throws {
        try await connection.close()
    }

    @Sendable static func translate(_ error: any Error) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        switch error.reason {
        case .constraint, .constraintUniqueFailed, .constraintPrimaryKeyFailed: return DatabaseError.uniqueViolation
        case .busy, .locked, .busyTimeout: return StratusError.unavailable("The database is busy; try again.")
        default: return error
        }
    }
}
