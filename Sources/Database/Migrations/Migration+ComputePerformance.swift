import SQLKit
import StratusCore

extension Migration {
    /// The flavor sizes of each instance as columns, so that quota usage is one aggregate query instead of decoding
    /// every record of the project; existing rows get them from their records.
    ///
    /// Version 9: 7 and 8 are reserved for work on another branch.
    static let computePerformance = Migration(version: 9, name: "compute performance") { db in
        try await db.alter(table: "instances").column("vcpus", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
        try await db.alter(table: "instances").column("memory_mb", type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
        let records = try await db.select().column("record").from("instances").all(decodingColumn: "record", as: String.self)
        for record in records {
            let instance = try JSONColumn.decode(Instance.self, record)
            try await db.update("instances").set("vcpus", to: instance.flavor.vcpus).set("memory_mb", to: instance.flavor.memoryMB)
                .where("id", .equal, instance.id.rawValue).run()
        }
        try await db.create(index: "instances_project_deleted").on("instances").column("project_id").column("deleted").run()
    }
}
