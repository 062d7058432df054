import SQLKit

extension Migration {
    /// Nova's request specs: what the scheduler is asked for each instance (a `RequestSpec` in JSON).
    static let requestSpecs = Migration(version: 14, name: "request specs") { db in
        try await db.create(table: "request_specs")
            .column("instance_id", type: .text, .primaryKey(autoIncrement: false))
            .column("record", type: .text, .notNull)
            .run()
    }
}
