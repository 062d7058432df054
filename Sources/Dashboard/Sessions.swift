import Crypto
import Database
import Foundation

/// A logged-in browser: its Keystone token (scoped to the project it works in) stays on the server; the browser holds
/// only the session's random id, in an `HttpOnly` cookie.
struct DashboardSession: Sendable, Codable {
    struct Project: Sendable, Codable {
        var id: String
        var name: String
    }

    /// The cookie's value; stored only as its SHA-256.
    var id = ""
    /// The form token every POST must carry (the synchronizer-token defence against cross-site requests).
    var csrf: String
    /// Stored sealed with a key only `id` gives.
    var token = ""
    var expiresAt: Date
    var userId: String
    var userName: String
    var domain: String
    var projectId: String
    var projectName: String
    var roles: [String]
    var projects: [Project]
    /// Messages for the next page this session sees (what the last form did, or why it did not).
    var notices: [Notice] = []

    struct Notice: Sendable, Codable {
        var text: String
        var isError: Bool
    }

    /// The last form this session posted that was refused for one of its fields: the next page shows the message
    /// next to that field of the form with the same action, filled with what was typed (a page without that form
    /// shows it as an error notice).
    var refusal: Refusal?

    struct Refusal: Sendable, Codable {
        var action: String
        var field: String
        var message: String
        var values: [String: String]
    }

    var isAdmin: Bool { roles.contains("admin") }
    /// A reader sees everything of its project and changes nothing: the pages offer no action to it.
    var canWrite: Bool { roles.contains("admin") || roles.contains("member") }

    enum CodingKeys: String, CodingKey {
        case csrf, expiresAt, userId, userName, domain, projectId, projectName, roles, projects, notices, refusal
    }
}

/// The dashboard's sessions, in the database (`dashboard_sessions`), so every API process serves every browser and a
/// restart logs nobody out. A row is found by the SHA-256 of the session id and holds the token sealed (AES-GCM) with a
/// key derived from the id: the database alone gives neither the cookie nor the token.
struct SessionStore: Sendable {
    let repository: any DashboardSessionRepository

    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func idHash(_ id: String) -> String {
        SHA256.hash(data: Data(("stratus-dashboard-session|" + id).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    private static func key(_ id: String) -> SymmetricKey {
        SymmetricKey(data: SHA256.hash(data: Data(("stratus-dashboard-token|" + id).utf8)))
    }

    private static func milliseconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970 * 1000) }

    /// Keeps `session` under a new random id, with a new form token; expired sessions go on the way.
    func create(_ session: DashboardSession) async throws -> DashboardSession {
        var session = session
        session.id = Self.randomToken()
        session.csrf = Self.randomToken()
        try await repository.prune(now: Self.milliseconds(Date()))
        try await replace(session)
        return session
    }

    /// The live session of `id`; nil when unknown or expired (or its row cannot be opened with `id`).
    func session(_ id: String) async throws -> DashboardSession? {
        guard !id.isEmpty, let stored = try await repository.find(idHash: Self.idHash(id), now: Self.milliseconds(Date())),
            let sealed = Data(base64Encoded: stored.sealedToken),
            let token = try? AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: Self.key(id))
        else { return nil }
        var session = try JSONDecoder().decode(DashboardSession.self, from: Data(stored.body.utf8))
        session.id = id
        session.token = String(decoding: token, as: UTF8.self)
        return session
    }

    func replace(_ session: DashboardSession) async throws {
        guard let sealed = try AES.GCM.seal(Data(session.token.utf8), using: Self.key(session.id)).combined else { return }
        let body = String(decoding: try JSONEncoder().encode(session), as: UTF8.self)
        try await repository.save(
            StoredDashboardSession(sealedToken: sealed.base64EncodedString(), body: body, expiresAt: Self.milliseconds(session.expiresAt)),
            idHash: Self.idHash(session.id)
        )
    }

    /// Changes the stored session of `id` with `change` (read, changed, written: a message for its next page).
    private func update<T>(_ id: String, _ change: (inout DashboardSession) -> T?) async throws -> T? {
        guard var session = try await session(id) else { return nil }
        guard let result = change(&session) else { return nil }
        try await replace(session)
        return result
    }

    /// Adds a message for the session's next page.
    func notify(_ id: String, _ text: String, isError: Bool = false) async throws {
        _ = try await update(id) { $0.notices.append(DashboardSession.Notice(text: text, isError: isError)) }
    }

    /// The session's messages, now shown: its notices, and its refusal if no form of the page showed it.
    func takeMessages(_ session: DashboardSession) async throws -> [DashboardSession.Notice] {
        try await update(session.id) { session in
            let messages = session.notices + (session.refusal.map { [DashboardSession.Notice(text: $0.message, isError: true)] } ?? [])
            guard !messages.isEmpty else { return nil }
            (session.notices, session.refusal) = ([], nil)
            return messages
        } ?? []
    }

    func refuse(_ id: String, _ refusal: DashboardSession.Refusal) async throws {
        _ = try await update(id) { $0.refusal = refusal }
    }

    /// The session's refusal, now shown, when `shows` says the page shows it.
    func takeRefusal(_ id: String, if shows: (DashboardSession.Refusal) -> Bool) async throws -> DashboardSession.Refusal? {
        try await update(id) { session in
            guard let refusal = session.refusal, shows(refusal) else { return nil }
            session.refusal = nil
            return refusal
        }
    }

    func remove(_ id: String) async throws {
        try await repository.remove(idHash: Self.idHash(id))
    }
}
