import Dashboard
import Database
import Foundation
import HTTPSupport
import Hummingbird
import Logging
import StratusTesting
import Testing

/// Every route of the dashboard, as the router lists it, with hostile path values and form bodies, as an admin and as
/// a member: never a 5xx nor markup echoed unescaped; every POST without the session's form token refused; no admin
/// page for a member.
@Suite("Dashboard sweep")
struct DashboardSweepTests {
    typealias Browser = DashboardTests.Browser

    /// The dashboard's routes, from a router it alone fills.
    static func routes(_ cloud: TestCloud) -> [(method: String, path: String)] {
        let router = Router(context: StratusRequestContext.self)
        Dashboard(listener: ListenerURL("http://127.0.0.1:1"), sessions: cloud.backend.dashboardSessions, logger: Logger(label: "sweep")).addRoutes(to: router)
        return router.routes.map { ($0.method.rawValue, "\($0.path)") }
    }

    /// What goes where a route takes a parameter: nothing that exists, text that must be escaped, a path climb,
    /// a NUL, something long, and (for `{op}`) every operation some form posts.
    static let ids = ["%3Cscript%3Ealert(1)%3C%2Fscript%3E", "..%2F..%2Fidentity", "a%00b",
                      String(repeating: "x", count: 600)]
    static let ops = ["delete", "edit", "grant", "revoke", "extend", "attach", "detach", "snapshot", "add_rule", "add_host", "enable",
                      "disable", "up", "down", "no-such-op"]
    static let bodies: [[(String, String)]] = [
        [],
        [("name", "<script>alert(1)</script>"), ("size", "-1"), ("vcpus", "1e9"), ("ram", "x"), ("disk", ""), ("port_min", "70000"),
         ("project", "nope"), ("role", "nope"), ("host", "nope"), ("server", "nope"), ("image", "nope"), ("flavor", "nope"),
         ("action", "snapshot"), ("properties", "=\n==\nstatus=x"), ("public_key", "not a key"), ("count", "-5"), ("source", "image"),
         ("id", "nope"), ("cidr", "999.1.1.1/99"), ("direction", "sideways"), ("protocol", "nope"), ("visibility", "galactic")],
    ]

    static func paths(_ template: String) -> [String] {
        var paths = [template]
        for (parameter, values) in [("{id}", ids), ("{op}", ops)] where template.contains(parameter) {
            paths = paths.flatMap { path in values.map { path.replacingOccurrences(of: parameter, with: $0) } }
        }
        return paths.map { $0.replacingOccurrences(of: "**", with: "no/such/page") }
    }

    @Test func noRouteAnswersA5xxToAnAdminOrAMember() async throws {
        try await TestCloud.with(live: true) { cloud, client in
            let routes = Self.routes(cloud)
            #expect(routes.count >= 30, "the router lists the dashboard's routes: \(routes)")
            let admin = try await client.token()
            _ = try await client.createUser("sweeper", password: "sweeper-pass", project: "demo", adminToken: admin)
            var adminBrowser = Browser(client: client), member = Browser(client: client)
            try await adminBrowser.login()
            try await member.login(user: "sweeper", password: "sweeper-pass")
            var requests = 0
            for browser in [adminBrowser, member] {
                for route in routes where !route.path.hasSuffix("auth/logout") {
                    for path in Self.paths(route.path) {
                        var replies = [TestClient.Reply]()
                        if route.method == "GET" {
                            let reply = try await browser.get(path)
                            #expect(reply.status == 403 || browser.cookie != member.cookie || !route.path.contains("/admin/"), "a member opens \(path)")
                            replies.append(reply)
                        } else {
                            for body in Self.bodies { replies.append(try await browser.post(path, body)) }
                            let forged = try await browser.post(path, [], csrf: "forged")
                            #expect(forged.status == 403 || route.path.hasSuffix("auth/login"), "POST \(path) without the form token: \(forged.status)")
                            replies.append(forged)
                        }
                        for reply in replies {
                            requests += 1
                            #expect(reply.status < 500, "\(route.method) \(path): \(reply.status) \(reply.body.prefix(300))")
                            #expect(!reply.body.contains("<script>alert(1)"), "\(route.method) \(path) echoes markup unescaped")
                        }
                    }
                }
            }
            #expect(requests > 3_000, "\(requests) requests")
            // The sweep left both sessions working.
            #expect(try await member.get("/dashboard/project/instances").status == 200)
        }
    }
}
