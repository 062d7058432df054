import Foundation
public import Messaging
import SQLKit

/// A message taken from the queue by a consumer, which holds its lease until it completes or releases it.
public struct QueuedMessage: Sendable, Equatable {
    public var id: Int64
    public var topic: String
    public var envelope: Envelope
    /// Where a call's reply goes; nil for a cast.
    public var replyTo: String?
    /// Deliveries so far, this one included.
    public var attempts: Int
}

/// The message bus's table: enqueue (on commit of the caller's transaction when it runs in one: an outbox), claim with
/// a lease (`FOR UPDATE SKIP LOCKED` where the engine has it; SQLite has one writer at a time), complete, release.
/// Times are milliseconds since 1970.
public struct MessageQueue: Sendable {
    let executor: any SQLExecutor

    /// PostgreSQL's notification channel for enqueued messages; the payload is `ID TOPIC`.
    public static let channel = "stratus_messages"

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    /// Adds a message for `topic` and wakes its consumers with its id: by `pg_notify`, sent on commit, on PostgreSQL
    /// (one prepared statement: the row and its notification); in this process on SQLite (where every writer is).
    /// Returns the message's id.
    @discardableResult
    public func enqueue(
        _ envelope: Envelope, topic: String, replyTo: String? = nil, correlationId: Int64? = nil, now: Int64, expiresAt: Int64? = nil
    ) async throws -> Int64 {
        let (payload, fault) = try Self.text(of: envelope)
        if let postgres = executor.postgres {
            let ids = try await postgres.rows(EnqueueStatement(
                topic: topic, method: envelope.method, payload: payload, requestId: envelope.requestId, replyTo: replyTo, correlationId: correlationId,
                fault: fault, sender: envelope.sender, now: now, expiresAt: expiresAt, channel: Self.channel
            ))
            guard let id = ids.first else { throw DatabaseError.invalidLocation("the database returned no id for a new message") }
            return id
        }
        let id = try await executor.run { db in
            try await db.insert(into: "messages")
                .columns(
                    "topic", "method", "payload", "request_id", "reply_to", "correlation_id", "fault", "sender", "state", "attempts",
                    "created_at", "available_at", "expires_at"
                )
                .values(
                    SQLBind(topic), SQLBind(envelope.method), SQLBind(payload), SQLBind(envelope.requestId), SQLBind(replyTo), SQLBind(correlationId),
                    SQLBind(fault), SQLBind(envelope.sender), SQLBind("ready"), SQLBind(0), SQLBind(now), SQLBind(now), SQLBind(expiresAt)
                )
                .returning("id")
                .first(decodingColumn: "id", as: Int64.self)
        }
        guard let id else { throw DatabaseError.invalidLocation("the database returned no id for a new message") }
        executor.messageSignal.post(topic, announcing: id)
        return id
    }

    /// Leases the messages `ids` of `topic` that are ready to `owner` until `leaseUntil` (the ones a notification
    /// announced: a point update each, where `claim(topic:…)` looks for them).
    public func claim(ids: [Int64], topic: String, owner: String, now: Int64, leaseUntil: Int64) async throws -> [QueuedMessage] {
        if let postgres = executor.postgres {
            return try await postgres.rows(ClaimAnnouncedStatement(ids: ids, topic: topic, owner: owner, now: now, leaseUntil: leaseUntil))
                .map(QueuedMessage.init).sorted { $0.id < $1.id }
        }
        return try await executor.run { db in
            try await db.update("messages")
                .set("state", to: "claimed").set("lease_owner", to: owner).set("lease_expires_at", to: leaseUntil)
                .set("attempts", to: SQLRaw("attempts + 1"))
                .where("id", .in, ids).where("topic", .equal, topic).where("state", .equal, "ready").where("available_at", .lessThanOrEqual, now)
                .where { $0.where("expires_at", .is, SQLLiteral.null).orWhere("expires_at", .greaterThan, now) }
                .returning("id", "topic", "method", "payload", "request_id", "reply_to", "fault", "sender", "attempts")
                .all()
                .map(Self.message).sorted { $0.id < $1.id }
        }
    }

    /// Leases up to `limit` messages of `topic` to `owner` until `leaseUntil`, oldest first: ready ones, and ones whose
    /// lease ran out (their consumer died) unless they were delivered `maxAttempts` times already.
    public func claim(topic: String, owner: String, now: Int64, leaseUntil: Int64, limit: Int, maxAttempts: Int) async throws -> [QueuedMessage] {
        try await executor.run { db in
            let lock = db.dialect.exclusiveSelectLockExpression == nil ? "" : " FOR UPDATE SKIP LOCKED"
            // The rows are picked (and locked) once, in the CTE: PostgreSQL may evaluate a plain `IN (subquery)` again
            // for a row another consumer changed meanwhile, and hand it out twice.
            let rows = try await db.raw("""
                WITH picked AS (
                    SELECT id FROM messages WHERE topic = \(bind: topic) AND (
                        (state = 'ready' AND available_at <= \(bind: now) AND (expires_at IS NULL OR expires_at > \(bind: now)))
                        OR (state = 'claimed' AND lease_expires_at <= \(bind: now) AND attempts < \(bind: maxAttempts))
                    )
                    ORDER BY id LIMIT \(bind: limit)\(unsafeRaw: lock)
                )
                UPDATE messages SET state = 'claimed', lease_owner = \(bind: owner), lease_expires_at = \(bind: leaseUntil), attempts = attempts + 1
                WHERE id IN (SELECT id FROM picked)
                RETURNING id, topic, method, payload, request_id, reply_to, fault, sender, attempts
                """).all()
            return try rows.map(Self.message).sorted { $0.id < $1.id }
        }
    }

    /// Removes a handled message, if `owner` still holds it.
    public func complete(_ id: Int64, owner: String) async throws {
        if let postgres = executor.postgres {
            _ = try await postgres.rows(CompleteCastStatement(id: id, owner: owner))
            return
        }
        try await executor.run { db in
            try await db.delete(from: "messages").where("id", .equal, id).where("lease_owner", .equal, owner).run()
        }
    }

    /// Removes call `id` and, if `owner` still held it, hands its `reply` to the caller waiting on `topic`. On SQLite every
    /// caller is this process: it takes the reply from its door, no row. On PostgreSQL the reply is enqueued as a row
    /// with the removal, in one statement whose notification also brings the reply itself to the caller's process
    /// (when it fits in one), so the caller need not read it back; the row stays for a caller whose notification was
    /// lost with its connection (and is pruned once `expiresAt` passes).
    public func complete(_ id: Int64, owner: String, reply: Envelope, topic: String, now: Int64, expiresAt: Int64) async throws {
        guard let postgres = executor.postgres else {
            let signal = executor.messageSignal
            let held = try await executor.run { db in
                try await db.delete(from: "messages").where("id", .equal, id).where("lease_owner", .equal, owner).returning("id").first() != nil
            }
            if held { signal.deliver(reply, to: topic) }
            return
        }
        let (payload, fault) = try Self.text(of: reply)
        let note = try ReplyNote(topic: topic, reply: reply).text()
        let (channel, message) = if let channel = MessageSignal.replyChannel(of: topic), let note, note.utf8.count <= ReplyNote.limit {
            (channel, note)
        } else {
            (Self.channel, topic)
        }
        _ = try await postgres.rows(CompleteCallStatement(
            id: id, owner: owner, topic: topic, method: reply.method, payload: payload, requestId: reply.requestId, fault: fault, now: now,
            expiresAt: expiresAt, channel: channel, message: message
        ))
    }

    /// An envelope's payload and fault as the row's text columns.
    private static func text(of envelope: Envelope) throws -> (payload: String, fault: String?) {
        (String(decoding: envelope.payload, as: UTF8.self), try envelope.fault.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) })
    }

    /// Gives claimed messages back unhandled (their consumer is stopping), for another consumer at once.
    public func release(_ ids: [Int64], owner: String) async throws {
        guard !ids.isEmpty else { return }
        try await executor.run { db in
            try await db.raw("""
                UPDATE messages SET state = 'ready', lease_owner = NULL, lease_expires_at = NULL, attempts = attempts - 1
                WHERE lease_owner = \(bind: owner) AND state = 'claimed' AND id IN \(SQLBind.group(ids))
                """).run()
        }
    }

    /// Gives a claimed message back to be delivered again from `availableAt` (its handler failed for now).
    public func retry(_ id: Int64, owner: String, availableAt: Int64) async throws {
        try await executor.run { db in
            try await db.update("messages").set("state", to: "ready").set("lease_owner", to: String?.none)
                .set("lease_expires_at", to: Int64?.none).set("available_at", to: availableAt)
                .where("id", .equal, id).where("lease_owner", .equal, owner).where("state", .equal, "claimed").run()
        }
    }

    /// Extends the leases `owner` holds on `ids`: its handlers are still at work on them.
    public func renewLeases(_ ids: [Int64], owner: String, until: Int64) async throws {
        try await executor.run { db in
            try await db.update("messages").set("lease_expires_at", to: until)
                .where("id", .in, ids).where("lease_owner", .equal, owner).where("state", .equal, "claimed").run()
        }
    }

    /// Takes the reply waiting on a call's reply topic, if it came.
    public func takeReply(topic: String) async throws -> Envelope? {
        let row = try await executor.run { db in
            try await db.delete(from: "messages").where("topic", .equal, topic)
                .returning("id", "topic", "method", "payload", "request_id", "reply_to", "fault", "sender", "attempts")
                .first()
        }
        return try row.map(Self.message)?.envelope
    }

    /// Whether a consumer holds the message with a live lease (a call being worked on).
    public func isLeased(_ id: Int64, now: Int64) async throws -> Bool {
        try await executor.run { db in
            try await db.select().column("id").from("messages").where("id", .equal, id)
                .where("state", .equal, "claimed").where("lease_expires_at", .greaterThan, now).first() != nil
        }
    }

    /// Inside a transaction: whether the consumer still holds the delivery (no other consumer took the message since),
    /// locking the message until the transaction ends so that none can take it meanwhile.
    public func holds(_ delivery: Envelope.Delivery) async throws -> Bool {
        try await executor.run { db in
            let lock = db.dialect.exclusiveSelectLockExpression == nil ? "" : " FOR UPDATE"
            return try await db.raw("""
                SELECT id FROM messages WHERE id = \(bind: delivery.messageId) AND lease_owner = \(bind: delivery.owner) AND state = 'claimed'\(unsafeRaw: lock)
                """).first() != nil
        }
    }

    /// Withdraws a message no consumer claimed yet; false when one did (or it is gone).
    public func withdraw(_ id: Int64) async throws -> Bool {
        try await executor.run { db in
            try await db.delete(from: "messages").where("id", .equal, id).where("state", .equal, "ready")
                .returning("id").first() != nil
        }
    }

    /// The topics with a message a consumer could claim now: for the safety poll, which catches missed wakeups and
    /// leases that ran out.
    public func waitingTopics(now: Int64, maxAttempts: Int) async throws -> [String] {
        try await executor.run { db in
            try await db.raw("""
                SELECT DISTINCT topic FROM messages WHERE
                (state = 'ready' AND available_at <= \(bind: now) AND (expires_at IS NULL OR expires_at > \(bind: now)))
                OR (state = 'claimed' AND lease_expires_at <= \(bind: now) AND attempts < \(bind: maxAttempts))
                """).all(decodingColumn: "topic", as: String.self)
        }
    }

    /// Deletes what can no longer be delivered: calls and replies nobody took in time, and messages whose consumers
    /// died `maxAttempts` times (returned, to be logged).
    public func prune(now: Int64, maxAttempts: Int) async throws -> [QueuedMessage] {
        try await executor.run { db in
            try await db.delete(from: "messages").where("state", .equal, "ready").where("expires_at", .lessThanOrEqual, now).run()
            return try await db.raw("""
                DELETE FROM messages WHERE state = 'claimed' AND lease_expires_at <= \(bind: now) AND attempts >= \(bind: maxAttempts)
                RETURNING id, topic, method, payload, request_id, reply_to, fault, sender, attempts
                """).all().map(Self.message)
        }
    }

    /// Reclaims the rows of removed messages on PostgreSQL, which leaves them dead in place until vacuumed: every claim
    /// steps over them, and a busy queue outruns autovacuum's default pace (a call's round trip doubled after 20,000
    /// casts). Outside a transaction; skipped while another process vacuums it.
    public func vacuum() async throws {
        try await executor.run { db in
            guard db.dialect.name == "postgresql" else { return }
            try await db.raw("VACUUM (SKIP_LOCKED) messages").run()
        }
    }

    /// How many messages are queued or being handled, by topic (for operators and tests).
    public func depth() async throws -> [String: Int] {
        try await executor.run { db in
            let rows = try await db.raw("SELECT topic, COUNT(*) AS n FROM messages GROUP BY topic").all()
            var depth: [String: Int] = [:]
            for row in rows { depth[try row.decode(column: "topic", as: String.self)] = try row.decode(column: "n", as: Int.self) }
            return depth
        }
    }

    static func message(_ row: any SQLRow) throws -> QueuedMessage {
        try QueuedMessage((
            try row.decode(column: "id", as: Int64.self), try row.decode(column: "topic", as: String.self),
            try row.decode(column: "method", as: String.self), try row.decode(column: "payload", as: String.self),
            try row.decode(column: "request_id", as: String?.self), try row.decode(column: "reply_to", as: String?.self),
            try row.decode(column: "fault", as: String?.self), try row.decode(column: "sender", as: String?.self),
            try row.decode(column: "attempts", as: Int.self)
        ))
    }
}

/// A call's reply as the text of the PostgreSQL notification that brings it to its caller's process.
struct ReplyNote: Codable {
    /// PostgreSQL refuses notification payloads of 8,000 bytes and more.
    static let limit = 7_900

    var topic: String
    var method: String
    var payload: String
    var requestId: String?
    var fault: RemoteFault?

    init(topic: String, reply: Envelope) {
        self.topic = topic
        method = reply.method
        payload = String(decoding: reply.payload, as: UTF8.self)
        requestId = reply.requestId
        fault = reply.fault
    }

    init(text: String) throws {
        self = try JSONDecoder().decode(ReplyNote.self, from: Data(text.utf8))
    }

    func text() throws -> String? { String(data: try JSONEncoder().encode(self), encoding: .utf8) }

    var reply: Envelope { Envelope(method: method, payload: Array(payload.utf8), requestId: requestId, fault: fault) }
}

extension SQLExecutor {
    public var messages: MessageQueue { MessageQueue(self) }
}

/// A transaction's outbox: its casts are written in it, so they are sent if and only if it commits.
public struct Outbox: CastSink {
    let executor: any SQLExecutor

    public func cast<M: RPCMessage>(_ message: M, to topic: String, requestId: String?) async throws {
        try await executor.messages.enqueue(
            try Envelope(message, requestId: requestId), topic: topic, now: Int64((Date().timeIntervalSince1970 * 1000).rounded())
        )
    }
}

extension SQLExecutor {
    /// The outbox of this transaction.
    public var outbox: Outbox { Outbox(executor: self) }
}
