public import Database
public import Logging

/// `stratus db migrate`: opens the database (running its pool while needed), migrates, closes.
public enum DatabaseMaintenance {
    public static func migrate(_ location: DatabaseLocation, logger: Logger) async throws -> [Int] {
        let backend = try await location.open(logger: logger)
        return try await backend.whileRunning {
            try await Migrator(logger: logger).migrate(backend)
        }
    }
}
