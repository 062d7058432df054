import SQLKit

extension Migration {
    /// Nova's migration records: one row per move of an instance (a resize), with its status over time.
    static let migrations = Migration(version: 8, name: "migrations") { db in
        try await db.create(table: "migrations")
            .column("id", type: .bigint, .primaryKey(autoIncrement: true))
            .column("uuid", type: .text, .notNull, .unique)
            .column("instance_id", type: .text, .notNull)
            .column("project_id", type: .text, .notNull)
            .column("user_id", type: .text, .notNull)
            .column("migration_type", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("source_compute", type: .text, .notNull)
            .column("dest_compute", type: .text, .notNull)
            .column("old_flavor_id", type: .text, .notNull)
            .column("new_flavor_id", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint)
            .run()
        try await db.create(index: "migrations_instance").on("migrations").column("instance_id").run()
    }
}
