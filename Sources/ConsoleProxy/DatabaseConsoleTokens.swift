public import Database
public import StratusCore

/// Console tokens read from the database the proxy shares with the API.
public struct DatabaseConsoleTokens: ConsoleTokens {
    let backend: any SQLBackend
    let clock: any WallClock

    public init(backend: any SQLBackend, clock: any WallClock) {
        self.backend = backend
        self.clock = clock
    }

    public func open(_ token: String, type: ConsoleAuthToken.ConsoleType?, spend: Bool) async throws -> ConsoleAuthToken {
        try await backend.openConsole(token: token, type: type, spend: spend, now: Timestamp(clock.now()))
    }
}
