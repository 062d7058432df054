import Foundation
public import HTTPSupport
public import Hummingbird
import HTTPTypes
public import Logging
public import Database
import Mustache

/// Horizon's everyday pages at `/dashboard`: server-rendered HTML (Mustache templates, escaping on), a stylesheet and
/// a little plain JavaScript (live status, confirmations). Every page calls the public APIs with the logged-in user's
/// own token, so it can show and do only what the user could with the CLI.
public struct Dashboard: Sendable {
    let api: DashboardAPI
    let sessions: SessionStore
    let templates: MustacheLibrary
    let logger: Logger

    /// `listener`: where the APIs are served (this process's own listener); `sessions`: where the sessions are kept
    /// (the database every API process shares).
    public init(listener: ListenerURL, sessions: any DashboardSessionRepository, logger: Logger) {
        api = DashboardAPI(baseURL: { listener.url })
        self.sessions = SessionStore(repository: sessions)
        templates = Templates.library
        self.logger = logger
    }

    public func addRoutes(to router: Router<StratusRequestContext>) {
        router.get("/") { _, _ in Self.html(Templates.render(templates, "home", [:]), status: .ok) }
        let group = router.group("dashboard")
        group.get { _, _ in Self.redirect("/dashboard/project/instances") }
        group.get("static/dashboard.css") { _, _ in Self.asset(Assets.stylesheet, type: "text/css; charset=utf-8") }
        group.get("static/dashboard.js") { _, _ in Self.asset(Assets.script, type: "text/javascript; charset=utf-8") }
        addAuthRoutes(to: group)
        addProjectRoutes(to: group)
        addResourceRoutes(to: group)
        addAdminRoutes(to: group)
        addAdminIdentityRoutes(to: group)
        addImageUploadRoute(to: group)
        // Any other page is the dashboard's 404 page, not an API's JSON fault.
        group.get("**") { request, _ in
            await errorPage(try? await session(of: request), status: .notFound, title: "Not found", text: "There is no such page.")
        }
    }

    // MARK: Pages

    /// A page of a logged-in user: `body` renders it with the session; no session, or one whose token the APIs no
    /// longer take, goes to the login page with a message; an API's refusal is a page of its own (never a 500).
    func page(_ request: Request, _ body: (DashboardSession) async throws -> Response) async -> Response {
        let session: DashboardSession
        do {
            guard let found = try await self.session(of: request) else { return Self.redirect("/dashboard/auth/login?next=" + Self.escapedPath(request)) }
            session = found
        } catch {
            return await failure(error, session: nil)
        }
        do {
            return try await body(session)
        } catch {
            return await failure(error, session: session)
        }
    }

    /// A form's POST: the session's CSRF token must come with it; `body` acts and answers (usually a redirect).
    func form(_ request: Request, _ body: (DashboardSession, FormBody) async throws -> Response) async -> Response {
        let session: DashboardSession
        do {
            guard let found = try await self.session(of: request) else { return Self.redirect("/dashboard/auth/login") }
            session = found
        } catch {
            return await failure(error, session: nil)
        }
        do {
            let form = try await FormBody.read(request)
            guard let csrf = form["csrf"], Self.constantTimeEqual(csrf, session.csrf) else {
                return await errorPage(session, status: .forbidden, title: "Form refused", text: "The form was stale or not sent by this dashboard. Reload the page and try again.")
            }
            do {
                return try await body(session, form)
            } catch DashboardError.badField(let field, let message, let back) {
                try await sessions.refuse(session.id, .init(action: request.uri.path, field: field, message: message, values: form.retyped))
                return Self.redirect(back)
            }
        } catch {
            return await failure(error, session: session)
        }
    }

    /// The page for what stopped a page or a form; `session` is nil when it could not be read.
    private func failure(_ error: any Error, session: DashboardSession?) async -> Response {
        switch error {
        case DashboardError.api(401, _), DashboardError.loggedOut:
            if let session { try? await sessions.remove(session.id) }
            return Self.redirect("/dashboard/auth/login?expired=1")
        case DashboardError.api(403, let message):
            return await errorPage(session, status: .forbidden, title: "Not allowed", text: message)
        case DashboardError.api(404, let message):
            return await errorPage(session, status: .notFound, title: "Not found", text: message)
        case DashboardError.api(let status, let message):
            return await errorPage(session, status: HTTPResponse.Status(code: (400..<500).contains(status) ? status : 503), title: "The cloud refused", text: message)
        default:
            logger.warning("dashboard: \(error)")
            return await errorPage(session, status: .serviceUnavailable, title: "Unavailable", text: "The cloud could not be reached; try again.")
        }
    }

    func errorPage(_ session: DashboardSession?, status: HTTPResponse.Status, title: String, text: String) async -> Response {
        let body = Templates.render(templates, "error", ["title": title, "text": text])
        return Self.html(await layout(session, title: title, section: "", body: body), status: status)
    }

    /// The page around `body`: navigation, project switcher, the session's messages.
    func layout(_ session: DashboardSession?, title: String, section: String, body: String) async -> String {
        var context: [String: Any] = ["title": title, "body": body]
        if let session {
            context["session"] = [
                "user": session.userName, "project": session.projectName, "csrf": session.csrf, "isAdmin": session.isAdmin, "canWrite": session.canWrite,
                "projects": session.projects.map { ["id": $0.id, "name": $0.name, "current": $0.id == session.projectId] },
            ] as [String: Any]
            // A refusal the page did not show next to its field is shown with the notices.
            let messages = (try? await sessions.takeMessages(session)) ?? []
            context["notices"] = messages.map { ["text": $0.text, "error": $0.isError] }
        }
        context["section_" + section] = true
        return Templates.render(templates, "layout", context)
    }

    func session(of request: Request) async throws -> DashboardSession? {
        guard let id = Self.cookie(Self.sessionCookie, in: request) else { return nil }
        return try await sessions.session(id)
    }

    // MARK: Responses

    static let sessionCookie = "stratus_session"

    static func html(_ text: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "text/html; charset=utf-8"
        headers[.cacheControl] = "no-store"
        // Pages load only their own scripts and styles, and frames only the console proxy.
        headers[HTTPField.Name("Content-Security-Policy")!] = "default-src 'self'; frame-src 'self' http: https:; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'"
        headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "max-age=3600"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// 303: the browser GETs `location` after a form.
    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.location] = location
        return Response(status: .seeOther, headers: headers)
    }

    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0] == name { return String(parts[1]) }
            }
        }
        return nil
    }

    /// The session cookie: `HttpOnly`, `SameSite=Lax`, for `/dashboard` only, `Secure` when the browser came over
    /// TLS (through a proxy that says so).
    static func sessionCookie(_ value: String, request: Request, maxAge: Int) -> String {
        let secure = request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" || request.uri.scheme == .https
        return "\(sessionCookie)=\(value); Path=/dashboard; HttpOnly; SameSite=Lax; Max-Age=\(maxAge)" + (secure ? "; Secure" : "")
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// The request's path and query, for a `next=` parameter.
    static func escapedPath(_ request: Request) -> String {
        request.uri.description.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }
}
