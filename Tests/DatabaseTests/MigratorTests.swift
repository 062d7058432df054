import Database
import SQLKit
import Testing

@Suite("Migrations")
struct MigratorTests {
    @Test(arguments: Engine.allCases)
    func migratesOnceAndRecordsTheVersion(engine: Engine) async throws {
        try await engine.withBackend { backend in
            let migrator = Migrator(logger: Engine.logger)
            let first = try await migrator.migrate(backend)
            #expect(first == Migration.all.map(\.version))
            let second = try await migrator.migrate(backend)
            #expect(second.isEmpty)
            #expect(try await migrator.currentVersion(backend) == Migration.all.map(\.version).max())
            // The tables exist and are empty.
            let count = try await backend.run { db in
                try await db.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from("users")
                    .first(decodingColumn: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }
}
