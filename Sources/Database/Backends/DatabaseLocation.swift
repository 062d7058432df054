public import Logging

/// Where the database lives: a SQLite file (the embedded default), SQLite in memory (tests), or PostgreSQL.
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case sqliteInMemory
    case postgres(url: String)

    /// Parses `--database`: a `postgres://` URL, `sqlite::memory:`, or `sqlite:PATH`.
    public init(argument: String) throws {
        if argument.hasPrefix("postgres://") || argument.hasPrefix("postgresql://") {
            self = .postgres(url: argument)
        } else if argument == "sqlite::memory:" {
            self = .sqliteInMemory
        } else if argument.hasPrefix("sqlite:") {
            self = .sqlite(path: String(argument.dropFirst("sqlite:".count)))
        } else {
            throw DatabaseError.invalidLocation("--database must be postgres://USER:PASSWORD@HOST:PORT/DB or sqlite:PATH")
        }
    }

    /// Opens the backend. A PostgreSQL backend must then have its `services` running.
    public func open(logger: Logger) async throws -> any SQLBackend {
        switch self {
        case .sqlite(let path): try await SQLiteBackend.open(path: path, logger: logger)
        case .sqliteInMemory: try await SQLiteBackend.open(path: nil, logger: logger)
        case .postgres(let url): try PostgresBackend(url: url, logger: logger)
        }
    }
}
