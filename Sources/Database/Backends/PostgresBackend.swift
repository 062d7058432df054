import StratusCore
import Foundation
public import Logging
import PostgresKit
import PostgresNIO
public import SQLKit
public import ServiceLifecycle

/// The shared database of the distributed mode: a PostgreSQL connection pool.
///
/// The pool (`PostgresClient`) is a Service: it must be running in the ServiceGroup while the backend is used.
public final class PostgresBackend: SQLBackend {
    private let client: PostgresClient
    private let logger: Logger
    /// Posted from PostgreSQL's notifications (`forwardMessageNotifications`), this process's own enqueues included.
    public let messageSignal = MessageSignal()
    /// How long an operation may take before it is given up as unavailable. PostgresNIO (1.33) can leave a query
    /// waiting forever when PostgreSQL closes the connection under it (a restart): without this, the request or
    /// message handler waiting on it would never finish.
    let operationDeadline: Duration = .seconds(60)

    /// Connects to `postgres://user:password@host:port/database[?search_path=SCHEMA]` (no TLS: the database is
    /// on loopback or a private network). `search_path` puts Stratus's tables in a schema of their own.
    public init(url: String, logger: Logger) throws {
        guard let components = URLComponents(string: url),
            ["postgres", "postgresql"].contains(components.scheme ?? ""),
            let host = components.host, !host.isEmpty,
            let user = components.user
        else {
            throw DatabaseError.invalidLocation("not a postgres:// URL with a user and host")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        var configuration = PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: user,
            password: components.password?.removingPercentEncoding,
            database: database.isEmpty ? nil : database,
            tls: .disable
        )
        if let schema = components.queryItems?.first(where: { $0.name == "search_path" })?.value {
            configuration.options.additionalStartupParameters = [("search_path", schema)]
        }
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func run<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withTranslatedErrors(Self.translate) {
            try await abandoned(after: operationDeadline) { [client] in
                try await client.withConnection { connection in
                    try await body(connection.sql())
                }
            }
        }
    }

    public func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLExecutor) async throws -> T) async throws -> T {
        try await withTranslatedErrors(Self.translate) {
            try await abandoned(after: operationDeadline) { [client, logger, messageSignal] in
                try await client.withTransaction(logger: logger) { connection in
                    try await body(TransactionExecutor(
                        db: connection.sql(), translate: Self.translate, messageSignal: messageSignal,
                        postgres: PostgresStatements(source: .connection(connection), logger: logger)
                    ))
                }
            }
        }
    }

    public var postgres: PostgresStatements? { PostgresStatements(source: .pool(client, deadline: operationDeadline), logger: logger) }

    public var services: [any Service] { [client] }

    public func close() async throws {}

    public func forwardMessageNotifications() async throws {
        while !Task.isCancelled {
            do {
                try await client.withConnection { [messageSignal, logger] connection in
                    try await connection.listen(on: MessageQueue.channel) { enqueued in
                        try await connection.listen(on: messageSignal.replyChannel) { replies in
                            // Listening again after a lost connection: what was enqueued meanwhile is claimed now.
                            messageSignal.postAll()
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                group.addTask { for try await notification in enqueued { messageSignal.post(notification: notification.payload) } }
                                group.addTask {
                                    for try await notification in replies {
                                        do {
                                            let note = try ReplyNote(text: notification.payload)
                                            messageSignal.deliver(note.reply, to: note.topic)
                                        } catch {
                                            logger.error("message bus: an unreadable reply notification: \(error)")
                                        }
                                    }
                                }
                                try await group.next()
                                group.cancelAll()
                            }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("message bus: listening for notifications failed (\(error)); listening again in a second")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    @Sendable static func translate(_ error: any Error) -> any Error {
        switch error {
        case let error as PostgresTransactionError:
            return translate(error.closureError ?? error.beginError ?? error.commitError ?? error.rollbackError ?? error)
        case let error as PSQLError:
            let state = error.serverInfo?[.sqlState] ?? ""
            if state == "23505" { return DatabaseError.uniqueViolation }
            // Connection exceptions (08…) and the server shutting down or starting up (57P01–57P03).
            if state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state) || [.connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed].contains(error.code) {
                return StratusError.unavailable("The database cannot be reached; try again.")
            }
            return error
        default:
            return error
        }
    }
}
