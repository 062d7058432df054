import Database
import SQLKit
import StratusTesting
import Testing

@Suite("Migrations")
struct MigratorTests {
    @Test(arguments: TestEngine.allCases)
    func migratesOnceAndRecordsTheVersion(engine: TestEngine) async throws {
        try await engine.withBackend { backend in
            let migrator = Migrator(logger: TestEngine.logger)
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

@Suite("Schema upgrades")
struct SchemaUpgradeTests {
    @Test(arguments: TestEngine.allCases)
    func anOlderDatabaseGetsTheNewerMigrations(engine: TestEngine) async throws {
        try await engine.withBackend { backend in
            let first = try #require(Migration.all.first)
            #expect(try await Migrator(migrations: [first], logger: TestEngine.logger).migrate(backend) == [first.version])
            let rest = try await Migrator(logger: TestEngine.logger).migrate(backend)
            #expect(rest == Migration.all.dropFirst().map(\.version))
            #expect(!rest.isEmpty)
            // The image tables exist now.
            #expect(try await backend.images.list([]).isEmpty)
        }
    }
}
