import SQLKit

extension Migration {
    /// Nova's host aggregates: the aggregate (integer id, as Nova's API shows it), its hosts and its metadata.
    ///
    /// A host's row goes with its compute node. `compute_nodes.availability_zone` stays the one place a host's zone is
    /// read from; the aggregate repository rewrites it, in the same transaction, whenever a host joins or leaves an
    /// aggregate or an aggregate's `availability_zone` changes.
    static let aggregates = Migration(version: 7, name: "aggregates") { db in
        try await db.create(table: "aggregates")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("uuid", type: .text, .notNull, .unique)
            .column("name", type: .text, .notNull, .unique)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint)
            .run()
        try await db.create(table: "aggregate_hosts")
            .column("aggregate_id", type: .bigint, .notNull, .references("aggregates", "id", onDelete: .cascade))
            .column("host", type: .text, .notNull, .references("compute_nodes", "host", onDelete: .cascade))
            .primaryKey("aggregate_id", "host")
            .run()
        try await db.create(index: "aggregate_hosts_host").on("aggregate_hosts").column("host").run()
        try await db.create(table: "aggregate_metadata")
            .column("aggregate_id", type: .bigint, .notNull, .references("aggregates", "id", onDelete: .cascade))
            .column("key", type: .text, .notNull)
            .column("value", type: .text, .notNull)
            .primaryKey("aggregate_id", "key")
            .run()
    }
}
