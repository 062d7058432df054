import SQLKit

extension Migration {
    /// Nova's server groups with their members, and per-project and per-class quota limits.
    static let serverGroupsAndQuotas = Migration(version: 6, name: "server groups and quotas") { db in
        try await db.create(table: "server_groups")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("project_id", type: .text, .notNull)
            .column("user_id", type: .text, .notNull)
            .column("name", type: .text, .notNull)
            .column("policy", type: .text, .notNull)
            .column("max_server_per_host", type: .bigint)
            .column("created_at", type: .bigint, .notNull)
            .run()
        try await db.create(table: "server_group_members")
            .column("group_id", type: .text, .notNull, .references("server_groups", "id", onDelete: .cascade))
            .column("instance_id", type: .text, .notNull)
            .primaryKey("group_id", "instance_id")
            .run()
        try await db.create(index: "server_group_members_instance").on("server_group_members").column("instance_id").run()
        try await db.create(table: "quotas")
            .column("scope", type: .text, .notNull)
            .column("resource", type: .text, .notNull)
            .column("hard_limit", type: .bigint, .notNull)
            .primaryKey("scope", "resource")
            .run()
    }
}
