import SQLKit

extension Migration {
    /// Glance's tables: images (tags and properties as JSON text) and image members.
    static let images = Migration(version: 2, name: "images") { db in
        try await db.create(table: "images")
            .column("id", type: .text, .primaryKey(autoIncrement: false))
            .column("name", type: .text)
            .column("owner", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("visibility", type: .text, .notNull)
            .column("protected", type: .boolean, .notNull)
            .column("os_hidden", type: .boolean, .notNull)
            .column("disk_format", type: .text)
            .column("container_format", type: .text)
            .column("size", type: .bigint)
            .column("virtual_size", type: .bigint)
            .column("checksum", type: .text)
            .column("os_hash_algo", type: .text)
            .column("os_hash_value", type: .text)
            .column("min_disk", type: .bigint, .notNull)
            .column("min_ram", type: .bigint, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .column("tags", type: .text, .notNull)
            .column("properties", type: .text, .notNull)
            .run()
        try await db.create(index: "images_owner").on("images").column("owner").run()
        try await db.create(table: "image_members")
            .column("image_id", type: .text, .notNull, .references("images", "id", onDelete: .cascade))
            .column("member_id", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("created_at", type: .bigint, .notNull)
            .column("updated_at", type: .bigint, .notNull)
            .primaryKey("image_id", "member_id")
            .run()
        try await db.create(index: "image_members_member").on("image_members").column("member_id").run()
    }
}
