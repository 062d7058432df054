import Foundation
import Logging
import Messaging
import PostgresNIO

/// The message bus's hot statements on PostgreSQL, prepared: parsed and planned once per connection instead of at
/// every message (which took most of each statement's time: 0.25-0.33 ms of PostgreSQL's work against 0.11 ms
/// prepared, measured with pgbench). On the pool, or on the connection of the transaction they take part in.
public struct PostgresStatements: Sendable {
    enum Source: Sendable {
        case pool(PostgresClient, deadline: Duration)
        case connection(PostgresConnection)
    }

    let source: Source
    let logger: Logger

    func rows<Statement: PostgresPreparedStatement>(_ statement: Statement) async throws -> [Statement.Row] where Statement.Row: Sendable {
        try await withTranslatedErrors(PostgresBackend.translate) {
            switch source {
            case .pool(let client, let deadline):
                try await abandoned(after: deadline) { [logger] in
                    try await client.withConnection { connection in try await Self.rows(statement, on: connection, logger: logger) }
                }
            case .connection(let connection):
                try await Self.rows(statement, on: connection, logger: logger)
            }
        }
    }

    private static func rows<Statement: PostgresPreparedStatement>(
        _ statement: Statement, on connection: PostgresConnection, logger: Logger
    ) async throws -> [Statement.Row] {
        var rows: [Statement.Row] = []
        for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
        return rows
    }
}

extension PostgresBindings {
    /// The bindings of `values`, in order (nil: NULL, typed by its place in the statement).
    init(_ values: [(any PostgresThrowingDynamicTypeEncodable)?]) throws {
        self.init(capacity: values.count)
        for value in values {
            if let value { try append(value) } else { appendNull() }
        }
    }
}

/// The columns a claim returns: id, topic, method, payload, request id, reply-to, fault (JSON), sender, attempts.
typealias ClaimedRow = (Int64, String, String, String, String?, String?, String?, String?, Int)

extension QueuedMessage {
    /// A claimed row, from either engine.
    init(_ row: ClaimedRow) throws {
        let (id, topic, method, payload, requestId, replyTo, fault, sender, attempts) = row
        self.init(
            id: id, topic: topic,
            envelope: Envelope(
                method: method, payload: Array(payload.utf8), requestId: requestId,
                fault: try fault.map { try JSONDecoder().decode(RemoteFault.self, from: Data($0.utf8)) }, sender: sender
            ),
            replyTo: replyTo, attempts: attempts
        )
    }
}

/// A new message, and the notification (sent on commit) that names it to its topic's consumers: `ID TOPIC`.
struct EnqueueStatement: PostgresPreparedStatement {
    static let name = "stratus_enqueue"
    static let sql = """
        WITH message AS (
            INSERT INTO messages (topic, method, payload, request_id, reply_to, correlation_id, fault, sender, state, attempts, created_at, available_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ready', 0, $9, $9, $10) RETURNING id
        )
        SELECT id, pg_notify($11, id::text || ' ' || $1)::text AS notified FROM message
        """
    typealias Row = Int64

    var topic: String
    var method: String
    var payload: String
    var requestId: String?
    var replyTo: String?
    var correlationId: Int64?
    var fault: String?
    var sender: String?
    var now: Int64
    var expiresAt: Int64?
    var channel: String

    func makeBindings() throws -> PostgresBindings {
        try PostgresBindings([topic, method, payload, requestId, replyTo, correlationId, fault, sender, now, expiresAt, channel])
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode((Int64, String).self).0 }
}

/// Leases the announced messages `ids` of `topic` that are ready.
struct ClaimAnnouncedStatement: PostgresPreparedStatement {
    static let name = "stratus_claim_announced"
    static let sql = """
        UPDATE messages SET state = 'claimed', lease_owner = $3, lease_expires_at = $5, attempts = attempts + 1
        WHERE id = ANY($1) AND topic = $2 AND state = 'ready' AND available_at <= $4 AND (expires_at IS NULL OR expires_at > $4)
        RETURNING id, topic, method, payload, request_id, reply_to, fault, sender, attempts
        """
    typealias Row = ClaimedRow

    var ids: [Int64]
    var topic: String
    var owner: String
    var now: Int64
    var leaseUntil: Int64

    func makeBindings() throws -> PostgresBindings {
        try PostgresBindings([ids, topic, owner, now, leaseUntil])
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}

/// Removes a handled cast, if `owner` still holds it.
struct CompleteCastStatement: PostgresPreparedStatement {
    static let name = "stratus_complete_cast"
    static let sql = "DELETE FROM messages WHERE id = $1 AND lease_owner = $2 RETURNING id"
    typealias Row = Int64

    var id: Int64
    var owner: String

    func makeBindings() throws -> PostgresBindings {
        try PostgresBindings([id, owner])
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Int64.self) }
}

/// Removes a handled call, if `owner` still held it, and enqueues its reply with the notification that brings it.
struct CompleteCallStatement: PostgresPreparedStatement {
    static let name = "stratus_complete_call"
    static let sql = """
        WITH done AS (DELETE FROM messages WHERE id = $1 AND lease_owner = $2 RETURNING id),
        reply AS (
            INSERT INTO messages (topic, method, payload, request_id, correlation_id, fault, state, attempts, created_at, available_at, expires_at)
            SELECT $3, $4, $5, $6, done.id, $7, 'ready', 0, $8, $8, $9 FROM done RETURNING id
        )
        SELECT id, pg_notify($10, $11)::text AS notified FROM reply
        """
    typealias Row = Int64

    var id: Int64
    var owner: String
    var topic: String
    var method: String
    var payload: String
    var requestId: String?
    var fault: String?
    var now: Int64
    var expiresAt: Int64
    var channel: String
    var message: String

    func makeBindings() throws -> PostgresBindings {
        try PostgresBindings([id, owner, topic, method, payload, requestId, fault, now, expiresAt, channel, message])
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode((Int64, String).self).0 }
}
