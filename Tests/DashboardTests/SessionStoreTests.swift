@testable import Dashboard
import Database
import Foundation
import SQLKit
import StratusTesting
import Testing

/// The dashboard's sessions in the database, on both engines: what one API process stores, another reads; the row holds
/// neither the cookie's id nor the token in clear.
@Suite("Dashboard sessions")
struct SessionStoreTests {
    static func session(expiresIn seconds: TimeInterval = 3600) -> DashboardSession {
        DashboardSession(
            csrf: "", token: "gAAAA-the-users-keystone-token", expiresAt: Date().addingTimeInterval(seconds), userId: "u1", userName: "alice",
            domain: "Default", projectId: "p1", projectName: "demo", roles: ["member"], projects: [.init(id: "p1", name: "demo")]
        )
    }

    @Test(arguments: TestEngine.allCases)
    func aSessionMadeByOneProcessServesOnAnotherAndKeepsNoSecretInClear(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let one = SessionStore(repository: backend.dashboardSessions), other = SessionStore(repository: backend.dashboardSessions)
            let made = try await one.create(Self.session())
            let read = try #require(try await other.session(made.id))
            #expect(read.token == made.token && read.csrf == made.csrf && read.userName == "alice" && read.projects.map(\.id) == ["p1"])

            try await other.notify(made.id, "Instance launched.")
            #expect(try await one.takeMessages(made).map(\.text) == ["Instance launched."])
            #expect(try await one.takeMessages(made).isEmpty, "shown once")

            let rows = try await backend.run { db in try await db.select().columns("id_hash", "sealed_token", "body").from("dashboard_sessions").all() }
            let stored = try rows.map { row in try ["id_hash", "sealed_token", "body"].map { try row.decode(column: $0, as: String.self) }.joined() }.joined()
            #expect(!stored.contains(made.id) && !stored.contains(made.token), "neither the session id nor the token is stored in clear")

            #expect(try await other.session(made.id + "x") == nil)
            #expect(try await other.session("") == nil)
            try await other.remove(made.id)
            #expect(try await one.session(made.id) == nil, "logged out everywhere")
            let expired = try await one.create(Self.session(expiresIn: -1))
            #expect(try await other.session(expired.id) == nil)
        }
    }
}
