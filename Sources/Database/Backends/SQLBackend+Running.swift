import ServiceLifecycle

extension SQLBackend {
    /// Runs the backend's services (a connection pool) around `body`, then stops them and closes the backend.
    /// For short-lived uses such as `stratus db migrate` and tests; a server runs them in its ServiceGroup.
    public func whileRunning<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            for service in services {
                group.addTask {
                    try await service.run()
                    return nil
                }
            }
            defer { group.cancelAll() }
            let result: T
            do {
                result = try await body()
            } catch {
                // Closed either way: an open SQLite connection must not be released (SQLiteNIO asserts on it).
                try? await close()
                throw error
            }
            try await close()
            return result
        }
    }
}
