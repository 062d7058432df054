import Crypto
import Foundation
import Synchronization

/// A logged-in browser: its Keystone token (scoped to the project it works in) stays here, on the server; the browser
/// holds only the session's random id, in an `HttpOnly` cookie.
struct DashboardSession: Sendable {
    struct Project: Sendable {
        var id: String
        var name: String
    }

    var id: String
    /// The form token every POST must carry (the synchronizer-token defence against cross-site requests).
    var csrf: String
    var token: String
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

    struct Notice: Sendable {
        var text: String
        var isError: Bool
    }

    /// The last form this session posted that was refused for one of its fields: the next page shows the message
    /// next to that field of the form with the same action, filled with what was typed (a page without that form
    /// shows it as an error notice).
    var refusal: Refusal?

    struct Refusal: Sendable {
        var action: String
        var field: String
        var message: String
        var values: [String: String]
    }

    var isAdmin: Bool { roles.contains("admin") }
    /// A reader sees everything of its project and changes nothing: the pages offer no action to it.
    var canWrite: Bool { roles.contains("admin") || roles.contains("member") }
}

/// The sessions of this API process, kept in memory until they are logged out or their token expires (a browser
/// behind several API processes needs them to route it to the same one).
final class SessionStore: Sendable {
    private let sessions = Mutex<[String: DashboardSession]>([:])
    /// The most sessions kept; the oldest token goes first when full.
    static let capacity = 10_000

    static func randomToken() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Keeps `session` under a new random id, with a new form token.
    func create(_ session: DashboardSession) -> DashboardSession {
        var session = session
        session.id = Self.randomToken()
        session.csrf = Self.randomToken()
        sessions.withLock { sessions in
            let now = Date()
            sessions = sessions.filter { $0.value.expiresAt > now }
            if sessions.count >= Self.capacity, let oldest = sessions.values.min(by: { $0.expiresAt < $1.expiresAt }) {
                sessions[oldest.id] = nil
            }
            sessions[session.id] = session
        }
        return session
    }

    /// The live session of `id`; an expired one is forgotten.
    func session(_ id: String) -> DashboardSession? {
        sessions.withLock { sessions in
            guard let session = sessions[id] else { return nil }
            guard session.expiresAt > Date() else {
                sessions[id] = nil
                return nil
            }
            return session
        }
    }

    func replace(_ session: DashboardSession) {
        sessions.withLock { $0[session.id] = session }
    }

    /// Adds a message for the session's next page.
    func notify(_ id: String, _ text: String, isError: Bool = false) {
        sessions.withLock { $0[id]?.notices.append(DashboardSession.Notice(text: text, isError: isError)) }
    }

    /// The session's messages, now shown.
    func takeNotices(_ id: String) -> [DashboardSession.Notice] {
        sessions.withLock { sessions in
            defer { sessions[id]?.notices = [] }
            return sessions[id]?.notices ?? []
        }
    }

    func refuse(_ id: String, _ refusal: DashboardSession.Refusal) {
        sessions.withLock { $0[id]?.refusal = refusal }
    }

    /// The session's refusal, now shown, when `shows` says the page shows it.
    func takeRefusal(_ id: String, if shows: (DashboardSession.Refusal) -> Bool = { _ in true }) -> DashboardSession.Refusal? {
        sessions.withLock { sessions in
            guard let refusal = sessions[id]?.refusal, shows(refusal) else { return nil }
            sessions[id]?.refusal = nil
            return refusal
        }
    }

    func remove(_ id: String) {
        _ = sessions.withLock { $0.removeValue(forKey: id) }
    }
}
