import Foundation
import HTTPSupport
import Hummingbird
import Logging

/// Login (Keystone password authentication), the project switcher and logout (the token is revoked).
extension Dashboard {
    func addAuthRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("auth/login") { request, _ in
            var notice: String?
            if request.uri.queryParameters["expired"] != nil { notice = "Your session has expired or was ended. Log in again." }
            if request.uri.queryParameters["out"] != nil { notice = "You have logged out." }
            return await loginPage(domain: "Default", user: "", notice: notice, next: request.uri.queryParameters["next"].map(String.init))
        }
        group.post("auth/login") { request, _ in await login(request) }
        group.post("auth/logout") { request, _ in
            await form(request) { session, _ in
                _ = try? await api.call("DELETE", "/identity/v3/auth/tokens", token: session.token, headers: [("X-Subject-Token", session.token)])
                try await sessions.remove(session.id)
                return Self.redirect("/dashboard/auth/login?out=1", headers: [.setCookie: Self.sessionCookie("", request: request, maxAge: 0)])
            }
        }
        group.post("auth/project") { request, _ in
            await form(request) { session, form in
                guard let project = form.text("project"), session.projects.contains(where: { $0.id == project }) else {
                    throw DashboardError.badField("project", message: "Choose one of your projects.", back: "/dashboard/project/overview")
                }
                var switched = try await scoped(session.token, project: project, projects: session.projects)
                switched.id = session.id
                switched.csrf = session.csrf
                try await sessions.replace(switched)
                return Self.redirect("/dashboard/project/overview")
            }
        }
    }

    func loginPage(domain: String, user: String, notice: String?, next: String?, errors: [String: String] = [:], status: HTTPResponse.Status = .ok) async -> Response {
        let context: [String: Any?] = [
            "domain": domain, "user": user, "notice": notice, "next": next ?? "",
            "error_domain": errors["domain"], "error_user": errors["user"], "error_password": errors["password"], "error_form": errors["form"],
        ]
        let body = Templates.render(templates, "login", context.compactMapValues { $0 })
        return Self.html(await layout(nil, title: "Log in", section: "login", body: body), status: status)
    }

    /// Authenticates with the password (unscoped), lists the user's projects and scopes a token to the first one (by
    /// name); the session keeps it, the browser gets the session's id.
    func login(_ request: Request) async -> Response {
        let form: FormBody
        do { form = try await FormBody.read(request) } catch { return await loginPage(domain: "Default", user: "", notice: nil, next: nil, errors: ["form": "The form could not be read."], status: .badRequest) }
        let domain = form.text("domain") ?? "", user = form.text("user") ?? "", password = form["password"] ?? ""
        let next = form.text("next").flatMap { $0.hasPrefix("/dashboard/") && !$0.hasPrefix("/dashboard/auth") ? $0 : nil }
        var errors: [String: String] = [:]
        if domain.isEmpty { errors["domain"] = "Enter the user's domain (Default for most users)." }
        if user.isEmpty { errors["user"] = "Enter a user name." }
        if password.isEmpty { errors["password"] = "Enter the password." }
        guard errors.isEmpty else { return await loginPage(domain: domain, user: user, notice: nil, next: next, errors: errors, status: .badRequest) }
        do {
            let identity: [String: Any] = ["methods": ["password"], "password": ["user": ["name": user, "domain": ["name": domain], "password": password]]]
            let unscoped = try await api.call("POST", "/identity/v3/auth/tokens", token: nil, body: ["auth": ["identity": identity]])
            guard unscoped.isSuccess, let token = unscoped.subjectToken else {
                let message = unscoped.status == 401 ? "Invalid user name, domain or password." : unscoped.faultMessage
                return await loginPage(domain: domain, user: user, notice: nil, next: next, errors: ["form": message], status: unscoped.status == 401 ? .unauthorized : .badRequest)
            }
            let projects = try await api.list("/identity/v3/auth/projects", "projects", token: token)
                .compactMap { project -> DashboardSession.Project? in
                    guard let id = project["id"] as? String, project["enabled"] as? Bool != false else { return nil }
                    return DashboardSession.Project(id: id, name: project["name"] as? String ?? id)
                }
                .sorted { $0.name < $1.name }
            guard let first = projects.first else {
                return await loginPage(domain: domain, user: user, notice: nil, next: next, errors: ["form": "You have no role in any project: ask an administrator for one."], status: .forbidden)
            }
            let scoped = try await scoped(token, project: first.id, projects: projects)
            let session = try await sessions.create(scoped)
            let maxAge = max(0, Int(session.expiresAt.timeIntervalSinceNow))
            return Self.redirect(next ?? "/dashboard/project/instances", headers: [.setCookie: Self.sessionCookie(session.id, request: request, maxAge: maxAge)])
        } catch {
            logger.warning("dashboard: login failed: \(error)")
            return await loginPage(domain: domain, user: user, notice: nil, next: next, errors: ["form": "The identity service could not be reached; try again."], status: .serviceUnavailable)
        }
    }

    /// A token scoped to `project`, from `credential` (a token), with what the session shows of it.
    /// (The session has no id and form token yet: the store gives them.)
    func scoped(_ credential: String, project: String, projects: [DashboardSession.Project]) async throws -> DashboardSession {
        let reply = try await api.call("POST", "/identity/v3/auth/tokens", token: nil, body: [
            "auth": ["identity": ["methods": ["token"], "token": ["id": credential]], "scope": ["project": ["id": project]]],
        ])
        guard reply.isSuccess, let token = reply.subjectToken, let body = reply.body["token"] as? [String: Any] else {
            throw DashboardError.api(reply.status, reply.faultMessage)
        }
        let user = body["user"] as? [String: Any] ?? [:]
        let scope = body["project"] as? [String: Any] ?? [:]
        let expires = (body["expires_at"] as? String).flatMap(Self.parseTime) ?? Date().addingTimeInterval(3600)
        return DashboardSession(
            id: "", csrf: "", token: token, expiresAt: expires, userId: user["id"] as? String ?? "", userName: user["name"] as? String ?? "",
            domain: (user["domain"] as? [String: Any])?["name"] as? String ?? "", projectId: scope["id"] as? String ?? project,
            projectName: scope["name"] as? String ?? project, roles: (body["roles"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String },
            projects: projects
        )
    }

    /// An API time (`2026-12-07T16:05:34.000000Z`, `2026-12-07T16:05:34Z` or without the zone), always UTC; read by hand
    /// (a DateFormatter per row was a quarter of the instances page's time).
    static func parseTime(_ text: String) -> Date? {
        let digits = Array(text.utf8.prefix(19))
        guard digits.count == 19, digits[4] == UInt8(ascii: "-"), digits[7] == UInt8(ascii: "-"), digits[10] == UInt8(ascii: "T") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in digits[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        // Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}
