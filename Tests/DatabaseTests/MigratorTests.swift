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

@Suite("Schema upgrades")
struct SchemaUpgradeTests {
    @Test(arguments: Engine.allCases)
    func anOlderDatabaseGetsTheNewerMigrations(engine: Engine) async throws {
        try await engine.withBackend { backend in
            let first = try #require(Migration.all.first)
            #expect(try await Migrator(migrations: [first], logger: Engine.logger).migrate(backend) == [first.version])
            let rest = try await Migrator(logger: Engine.logger).migrate(backend)
            #expect(rest == Migration.all.dropFirst().map(\.version))
            #expect(!rest.isEmpty)
            // The image tables exist now.
            #expect(try await backend.images.list([]).isEmpty)
        }
    }
}
