import Database
import SQLKit
import StratusCore
import StratusTesting
import Testing

@Suite("Console auth tokens")
struct ConsoleTokenRepositoryTests {
    static let console = RemoteConsole(kind: .vnc, address: .unix(path: "/data/instances/i/vnc.sock"))

    @Test(arguments: TestEngine.allCases)
    func aTokenIsStoredHashedFoundUntilItExpiresAndSpentOnce(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let tokens = backend.consoleTokens
            let now = Timestamp(rawValue: 1_000_000_000)
            let (token, record) = try await tokens.issue(
                instanceId: "i-1", consoleType: .novnc, host: "h1", console: Self.console, now: now, lifetime: 600
            )
            #expect(record.tokenHash != token && record.tokenHash.count == 64)
            #expect(record.expiresAt == now.adding(seconds: 600))
            // Nothing stored holds the token itself.
            let stored = try await backend.run { db in
                try await db.select().column("token_hash").from("console_auth_tokens").all(decodingColumn: "token_hash", as: String.self)
            }
            #expect(stored == [record.tokenHash])
            // Looking it up does not spend it; spending it does, once.
            #expect(try await tokens.find(token: token, now: now) == record)
            #expect(try await tokens.find(token: token, now: now) == record)
            #expect(try await tokens.find(token: "other", now: now) == nil)
            #expect(try await tokens.spend(token: token, now: now.adding(seconds: 599)) == record)
            #expect(try await tokens.spend(token: token, now: now) == nil)
            #expect(try await tokens.find(token: token, now: now) == nil)
            // An expired token is refused, found or spent.
            let (late, _) = try await tokens.issue(instanceId: "i-1", consoleType: .serial, host: "h1", console: Self.console, now: now, lifetime: 10)
            #expect(try await tokens.find(token: late, now: now.adding(seconds: 10)) == nil)
            #expect(try await tokens.spend(token: late, now: now.adding(seconds: 10)) == nil)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func revokingAnInstanceDropsOnlyItsTokensAndRacingSpendsWinOnce(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let tokens = backend.consoleTokens
            let now = Timestamp(rawValue: 5_000_000)
            let (mine, _) = try await tokens.issue(instanceId: "i-1", consoleType: .novnc, host: "h", console: Self.console, now: now, lifetime: 60)
            let (other, _) = try await tokens.issue(instanceId: "i-2", consoleType: .novnc, host: "h", console: Self.console, now: now, lifetime: 60)
            try await tokens.revoke(instanceId: "i-1")
            #expect(try await tokens.find(token: mine, now: now) == nil)
            #expect(try await tokens.find(token: other, now: now) != nil)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await tokens.spend(token: other, now: now) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }
}
