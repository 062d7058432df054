import Database
import Foundation
import SQLKit
import StratusCore
import StratusTesting
import Testing

@Suite("SQLite file database")
struct SQLiteFileTests {
    @Test func usesWriteAheadLogAndKeepsDataAcrossReopen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-db-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let location = DatabaseLocation.sqlite(path: directory + "/stratus.sqlite")

        let first = try await location.open(logger: TestEngine.logger)
        try await Migrator(logger: TestEngine.logger).migrate(first)
        let mode = try await first.run { db in
            try await db.raw("PRAGMA journal_mode").first(decodingColumn: "journal_mode", as: String.self)
        }
        #expect(mode == "wal")
        try await first.identity.domains.create(Domain(id: .defaultDomain, name: "Default"))
        // Many concurrent writers: none fails with "database is locked".
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<40 {
                group.addTask {
                    try await first.identityTransaction { repositories in
                        try await repositories.projects.create(Project(id: .generate(), name: "p\(index)", domainId: .defaultDomain))
                    }
                }
            }
            try await group.waitForAll()
        }
        try await first.close()

        let second = try await location.open(logger: TestEngine.logger)
        #expect(try await Migrator(logger: TestEngine.logger).migrate(second).isEmpty)
        #expect(try await second.identity.projects.list([]).count == 40)
        try await second.close()
    }

    @Test func databaseArgumentsParse() throws {
        #expect(try DatabaseLocation(argument: "postgres://u:p@127.0.0.1:5432/db") == .postgres(url: "postgres://u:p@127.0.0.1:5432/db"))
        #expect(try DatabaseLocation(argument: "sqlite:/tmp/x.sqlite") == .sqlite(path: "/tmp/x.sqlite"))
        #expect(try DatabaseLocation(argument: "sqlite::memory:") == .sqliteInMemory)
        #expect(throws: DatabaseError.self) { try DatabaseLocation(argument: "mysql://nope") }
    }
}
