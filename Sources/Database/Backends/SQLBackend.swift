public import SQLKit
public import ServiceLifecycle

/// A database engine the repositories run their SQL on: SQLite (embedded) or PostgreSQL (shared).
///
/// Dialect differences are asked of the `SQLDatabase`'s dialect, never of which backend this is.
public protocol SQLExecutor: Sendable {
    /// Runs `body` with a database handle.
    func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T
    /// Wakes this process's consumers of the message bus (see `MessageQueue.enqueue`).
    var messageSignal: MessageSignal { get }
    /// The message bus's prepared statements, on PostgreSQL; nil on SQLite.
    var postgres: PostgresStatements? { get }
}

/// A handle already inside a transaction: repositories built on it take part in that transaction.
/// Errors are translated as the backend translates them, so a repository sees `DatabaseError` either way.
struct TransactionExecutor: SQLExecutor {
    let db: any SQLDatabase
    let translate: @Sendable (any Error) -> any Error
    let messageSignal: MessageSignal
    var postgres: PostgresStatements? = nil

    func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withTranslatedErrors(translate) { try await body(db) }
    }
}

/// A database engine; `run` executes statements that need no transaction.
public protocol SQLBackend: SQLExecutor {
    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T
    /// Long-lived parts (a connection pool) that must run in the process's ServiceGroup while the backend is used.
    var services: [any Service] { get }
    /// Releases connections; the backend is unusable afterwards.
    func close() async throws
    /// Runs until cancelled, posting to `messageSignal` the topics other processes enqueue messages for (PostgreSQL's
    /// LISTEN, reconnecting when the connection is lost); returns at once where every writer is this process (SQLite).
    func forwardMessageNotifications() async throws
}

/// Failures of the database that callers handle. An unreachable or busy database is a 503
/// `StratusError.unavailable`; anything else is a bug and becomes a 500.
public enum DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An insert or update broke a unique constraint (a concurrent duplicate).
    case uniqueViolation
    /// `--database` is not a location Stratus can open.
    case invalidLocation(String)

    public var description: String {
        switch self {
        case .uniqueViolation: "a unique constraint was violated"
        case .invalidLocation(let problem): problem
        }
    }
}

/// Runs `body`, rethrowing its errors as the backend's `translate` maps them.
func withTranslatedErrors<T>(_ translate: (any Error) -> any Error, _ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch {
        throw translate(error)
    }
}
