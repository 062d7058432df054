import SQLKit

extension Migration {
    /// The durable message bus: one row per message until it is handled (casts, calls and their replies). Times are
    /// milliseconds since 1970.
    static let messages = Migration(version: 13, name: "messages") { db in
        try await db.create(table: "messages")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("topic", type: .text, .notNull)
            .column("method", type: .text, .notNull)
            .column("payload", type: .text, .notNull)
            .column("request_id", type: .text)
            // A call's reply goes to `reply_to`; a reply names the call it answers in `correlation_id`.
            .column("reply_to", type: .text)
            .column("correlation_id", type: .bigint)
            .column("fault", type: .text)
            .column("sender", type: .text)
            .column("state", type: .text, .notNull)
            .column("attempts", type: .int, .notNull)
            .column("lease_owner", type: .text)
            .column("lease_expires_at", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .column("available_at", type: .bigint, .notNull)
            // A call nobody claimed by then (its caller gave up) and a reply nobody took are dropped.
            .column("expires_at", type: .bigint)
            .run()
        try await db.create(index: "messages_topic_state").on("messages").column("topic").column("state").column("id").run()
        try await db.create(index: "messages_lease_owner").on("messages").column("lease_owner").run()
    }
}

extension Migration {
    /// The queue's one index is by topic and age, which a claim reads: a claim changes only columns no index holds,
    /// so PostgreSQL updates the row in place (a HOT update, with room left on each page for it) instead of writing
    /// new entries in every index.
    static let messageIndex = Migration(version: 15, name: "message index") { db in
        try await db.drop(index: "messages_topic_state").run()
        try await db.drop(index: "messages_lease_owner").run()
        try await db.create(index: "messages_topic").on("messages").column("topic").column("id").run()
        if db.dialect.name == "postgresql" { try await db.raw("ALTER TABLE messages SET (fillfactor = 70)").run() }
    }
}
