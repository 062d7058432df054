import Foundation
import HTTPTypes
import StratusCore
import StratusTesting
import Testing

/// The dashboard over a live cloud (it calls the APIs over HTTP with the user's token), as a browser drives it:
/// cookies, forms with their CSRF token, redirects.
@Suite("Dashboard")
struct DashboardTests {
    /// A browser's session: the cookie it got at login and the page's form token.
    struct Browser {
        let client: TestClient
        var cookie = ""
        var csrf = ""

        func get(_ path: String) async throws -> TestClient.Reply {
            try await client.request(.get, path, headers: cookie.isEmpty ? [:] : ["Cookie": cookie])
        }

        func post(_ path: String, _ fields: [(String, String)], csrf: String? = nil) async throws -> TestClient.Reply {
            let all = fields + [("csrf", csrf ?? self.csrf)]
            let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
            var headers = ["Content-Type": "application/x-www-form-urlencoded"]
            if !cookie.isEmpty { headers["Cookie"] = cookie }
            return try await client.request(.post, path, json: body, headers: headers)
        }

        static func encode(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
        }

        /// Logs in; the session cookie and a page's form token are kept.
        mutating func login(user: String = "admin", password: String = TestCloud.adminPassword) async throws {
            let reply = try await post("/dashboard/auth/login", [("domain", "Default"), ("user", user), ("password", password)], csrf: "")
            #expect(reply.status == 303, "\(reply.body)")
            let setCookie = try #require(reply.header("Set-Cookie"))
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax") && setCookie.contains("Path=/dashboard"))
            cookie = String(setCookie.prefix { $0 != ";" })
            let page = try await get("/dashboard/project/instances")
            #expect(page.status == 200)
            csrf = try #require(Self.csrf(in: page.body))
        }

        static func csrf(in page: String) -> String? {
            guard let range = page.range(of: "name=\"csrf\" value=\"") else { return nil }
            return String(page[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    static func image(_ client: TestClient, _ token: String) async throws -> String {
        let created = try await client.request(.post, "/image/v2/images", token: token, json: ["name": "tiny", "disk_format": "raw", "container_format": "bare"])
        let id = try #require(created.value("id") as? String)
        let upload = try await client.request(
            .put, "/image/v2/images/\(id)/file", token: token, json: String(repeating: "x", count: 4096), headers: ["Content-Type": "application/octet-stream"]
        )
        #expect(upload.status == 204)
        return id
    }

    /// Polls the instances table's rows until `text` shows.
    static func rows(_ browser: Browser, showing text: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let rows = try await browser.get("/dashboard/project/instances/rows")
            if rows.body.contains(text) { return rows.body }
            try #require(ContinuousClock.now < deadline, "the rows never showed \(text):\n\(rows.body)")
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test func aUserLogsInLaunchesActsAndLogsOut() async throws {
        try await TestCloud.with(live: true) { _, client in
            let admin = try await client.token()
            let image = try await Self.image(client, admin)
            var browser = Browser(client: client)
            #expect(try await browser.get("/").body.contains("href=\"/dashboard\""))
            let away = try await browser.get("/dashboard/project/instances")
            #expect(away.status == 303 && away.header("Location")?.hasPrefix("/dashboard/auth/login") == true)
            let wrong = try await browser.post("/dashboard/auth/login", [("domain", "Default"), ("user", "admin"), ("password", "nope")], csrf: "")
            #expect(wrong.status == 401 && wrong.body.contains("Invalid user name, domain or password."))
            #expect(!(try await browser.get("/dashboard/auth/login").body.contains("class=\"notice")), "no empty notice")
            let blank = try await browser.post("/dashboard/auth/login", [("domain", ""), ("user", ""), ("password", "")], csrf: "")
            #expect(blank.status == 400 && blank.body.contains("Enter a user name.") && blank.body.contains("Enter the password."))
            try await browser.login()

            // Forms without the session's token are refused; the launch form checks its fields, then the API decides.
            #expect(try await browser.post("/dashboard/project/launch", [("name", "x")], csrf: "forged").status == 403)
            let missing = try await browser.post("/dashboard/project/launch", [("name", ""), ("source", "image")])
            #expect(missing.status == 400 && missing.body.contains("Give the instance a name.") && missing.body.contains("Choose an image."))
            let refused = try await browser.post(
                "/dashboard/project/launch", [("name", "x"), ("source", "image"), ("image", image), ("flavor", "no-such-flavor"), ("network", "none")]
            )
            #expect(refused.status == 400 && refused.body.contains("id=\"launch-error\""), "\(refused.body)")

            let name = "<script>alert(1)</script>"
            let launched = try await browser.post(
                "/dashboard/project/launch", [("name", name), ("count", "1"), ("source", "image"), ("image", image), ("flavor", "1"), ("network", "none")]
            )
            #expect(launched.status == 303 && launched.header("Location") == "/dashboard/project/instances", "\(launched.body)")
            let active = try await Self.rows(browser, showing: ">ACTIVE<")
            #expect(active.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !active.contains(name), "the name is shown as text")
            let id = try #require(active.range(of: "data-id=\"").map { String(active[$0.upperBound...].prefix(36)) })
            #expect(active.contains("value=\"stop\"") && !active.contains("value=\"start\""), "an ACTIVE instance can be shut off, not started")

            let page = try await browser.get("/dashboard/project/instances/\(id)")
            #expect(page.status == 200 && page.body.contains("id=\"action-log\"") && page.body.contains(">create<"), "\(page.status) \(page.body)")
            // The action log shows each action's events (recorded by a cast: polled).
            let deadline = ContinuousClock.now + .seconds(20)
            while !(try await browser.get("/dashboard/project/instances/\(id)").body.contains("<li>compute_build_and_run_instance: Success")) {
                try #require(ContinuousClock.now < deadline, "the build's event never showed in the action log")
                try await Task.sleep(for: .milliseconds(50))
            }
            let stopped = try await browser.post("/dashboard/project/instances/\(id)/action", [("action", "stop")])
            #expect(stopped.status == 303)
            let shutOff = try await Self.rows(browser, showing: ">SHUTOFF<")
            #expect(shutOff.contains("value=\"start\""))
            #expect(try await browser.get("/dashboard/project/instances").body.contains("Shut Off: request sent."), "the action's notice")

            #expect(try await browser.get("/dashboard/project/instances/no-such-server").status == 404)
            let nowhere = try await browser.get("/dashboard/no/such/page")
            #expect(nowhere.status == 404 && nowhere.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(try await browser.get("/dashboard/project/overview").body.contains("Limit Summary"))
            // The usage summary is of the period asked for; days that are not days, or a period that ends before it
            // starts, are told next to their field.
            let january = try await browser.get("/dashboard/project/overview?start=2026-01-01&end=2026-01-31").body
            #expect(january.contains("name=\"start\" value=\"2026-01-01\"") && january.contains("name=\"end\" value=\"2026-01-31\""), "\(january)")
            #expect(try await browser.get("/dashboard/project/overview?start=someday").body.contains("data-field=\"start\">A day is written YYYY-MM-DD."))
            #expect(try await browser.get("/dashboard/project/overview?start=2026-02-01&end=2026-01-01").body.contains("data-field=\"end\">"))

            #expect(try await browser.post("/dashboard/project/instances/delete", [("id", id)]).status == 303)
            _ = try await Self.rows(browser, showing: "No instances.")

            // Logging out revokes the token: the session is gone too.
            #expect(try await browser.post("/dashboard/auth/logout", []).status == 303)
            #expect(try await browser.get("/dashboard/project/instances").status == 303)
        }
    }

    @Test func aSessionWhoseTokenExpiredGoesBackToTheLogin() async throws {
        try await TestCloud.with(tokenLifetime: 60, live: true) { cloud, client in
            var browser = Browser(client: client)
            try await browser.login()
            cloud.clock.advance(seconds: 120)
            let page = try await browser.get("/dashboard/project/instances")
            #expect(page.status == 303 && page.header("Location") == "/dashboard/auth/login?expired=1")
            #expect(try await browser.get("/dashboard/auth/login?expired=1").body.contains("Your session has expired"))
        }
    }

    @Test func aReaderSeesButIsOfferedNoActionAndItsPostsAreRefused() async throws {
        try await TestCloud.with(live: true) { _, client in
            let admin = try await client.token()
            let image = try await Self.image(client, admin)
            _ = try await client.createUser("watcher", password: "watcher-pass", project: "admin", role: "reader", adminToken: admin)
            let server = try await client.request(.post, "/compute/v2.1/servers", token: admin, json: [
                "server": ["name": "watched", "imageRef": image, "flavorRef": "1", "networks": "none"],
            ])
            let id = try #require(server.value("server", "id") as? String)
            var browser = Browser(client: client)
            try await browser.login(user: "watcher", password: "watcher-pass")
            let rows = try await Self.rows(browser, showing: ">ACTIVE<")
            #expect(rows.contains("watched") && !rows.contains("<button"), "a reader is offered no action")
            #expect(!(try await browser.get("/dashboard/project/instances").body.contains("Launch Instance</a>")))
            let refused = try await browser.post("/dashboard/project/instances/\(id)/action", [("action", "stop")])
            #expect(refused.status == 303)
            let page = try await browser.get("/dashboard/project/instances")
            #expect(page.body.contains("class=\"notice error\""), "the API's refusal is shown: \(page.body)")
            #expect(try await client.request(.get, "/compute/v2.1/servers/\(id)", token: admin).value("server", "status") as? String == "ACTIVE")
        }
    }
}

@Suite("Dashboard resources and admin pages")
struct DashboardResourceTests {
    typealias Browser = DashboardTests.Browser

    @Test func volumesNetworksKeysAndAdminPagesWorkThroughTheirForms() async throws {
        try await TestCloud.with(live: true) { _, client in
            let admin = try await client.token()
            var browser = Browser(client: client)
            try await browser.login()

            // A network whose subnet the API refuses is not left behind.
            let half = try await browser.post("/dashboard/project/networks/create", [("name", "half"), ("cidr", "not-a-cidr")])
            #expect(half.status == 303, "\(half.status) \(half.body)")
            let networks = try await browser.get("/dashboard/project/networks")
            #expect(networks.body.contains("class=\"notice error\"") && !networks.body.contains(">half<"), "\(networks.body)")
            #expect(try await browser.post("/dashboard/project/networks/create", [("name", "net-a"), ("cidr", "192.168.77.0/24")]).status == 303)
            #expect(try await browser.get("/dashboard/project/networks").body.contains("192.168.77.0/24"))

            let key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl dash@test"
            #expect(try await browser.post("/dashboard/project/key_pairs/create", [("name", "key-1"), ("public_key", key)]).status == 303)
            let keys = try await browser.get("/dashboard/project/key_pairs")
            #expect(keys.body.contains(">key-1<") && keys.body.contains("imported"), "\(keys.body)")

            #expect(try await browser.post("/dashboard/project/volumes/create", [("name", "vol-a"), ("size", "1"), ("image", "")]).status == 303)
            let volumes = try await client.request(.get, "/volume/v3/volumes/detail", token: admin)
            #expect((volumes.value("volumes") as? [[String: Any]])?.first?["name"] as? String == "vol-a")
            // A refused field: back to the page, the message next to that field of that form, what was typed kept.
            let refused = try await browser.post("/dashboard/project/volumes/create", [("name", "bad<b>"), ("size", "zero")])
            #expect(refused.status == 303 && refused.header("Location") == "/dashboard/project/volumes")
            let volumesPage = try await browser.get("/dashboard/project/volumes")
            #expect(volumesPage.body.contains("data-field=\"size\">The size is a whole number of GB, 1 or more.</span>"), "\(volumesPage.body)")
            #expect(volumesPage.body.contains("name=\"name\" value=\"bad&lt;b&gt;\"") && volumesPage.body.contains("value=\"zero\""))
            #expect(!(try await browser.get("/dashboard/project/volumes").body.contains("field-error")), "shown once")
            #expect(volumesPage.body.contains("data-confirm=\"Delete this volume?\"") && !volumesPage.body.contains("data-confirm=\"\""),
                    "only the dangerous buttons ask first")

            // An image upload: the file is the body, passed on to the image API; without the form token, refused.
            let file = String(repeating: "i", count: 300_000)
            let headers = ["Cookie": browser.cookie, "Content-Type": "application/octet-stream"]
            let forged = try await client.request(.post, "/dashboard/project/images/upload?name=up&disk_format=raw&csrf=x", json: file, headers: headers)
            #expect(forged.status == 403)
            let uploaded = try await client.request(
                .post, "/dashboard/project/images/upload?name=up&disk_format=raw&csrf=\(Browser.encode(browser.csrf))", json: file, headers: headers
            )
            #expect(uploaded.status == 200 && uploaded.body == "Image up uploaded.", "\(uploaded.body)")
            let images = try await client.request(.get, "/image/v2/images?name=up", token: admin)
            let image = try #require((images.value("images") as? [[String: Any]])?.first)
            #expect(image["status"] as? String == "active" && image["size"] as? Int == 300_000)

            // With JavaScript off the browser posts the form as multipart/form-data, the file last; a body that does not
            // end with the closing boundary right after the file leaves no image.
            func multipart(_ name: String, file: String, end: String) -> String {
                let boundary = "----StratusBoundary7MA4YWxk"
                let field = { (key: String, value: String) in "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n" }
                return field("csrf", browser.csrf) + field("name", name) + field("disk_format", "raw")
                    + "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"disk.img\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                    + file + end.replacingOccurrences(of: "B", with: boundary)
            }
            let formHeaders = ["Cookie": browser.cookie, "Content-Type": "multipart/form-data; boundary=----StratusBoundary7MA4YWxk"]
            let disk = String(repeating: "--StratusBoundary\r\n", count: 10_000)
            let posted = try await client.request(.post, "/dashboard/project/images/upload", json: multipart("mp", file: disk, end: "\r\n--B--\r\n"), headers: formHeaders)
            #expect(posted.status == 303 && posted.header("Location") == "/dashboard/project/images")
            #expect(try await browser.get("/dashboard/project/images").body.contains("Image mp uploaded."))
            let mp = try await client.request(.get, "/image/v2/images?name=mp", token: admin)
            #expect((mp.value("images") as? [[String: Any]])?.first?["size"] as? Int == disk.utf8.count)
            let torn = try await client.request(.post, "/dashboard/project/images/upload", json: multipart("mp-torn", file: disk, end: "\r\n--B-\r\nX"), headers: formHeaders)
            #expect(torn.status == 303)
            #expect(try await browser.get("/dashboard/project/images").body.contains("The form did not end after the file."))
            #expect((try await client.request(.get, "/image/v2/images?name=mp-torn", token: admin).value("images") as? [Any])?.isEmpty == true)

            // The image's page edits its fields and custom properties (a removed line removes its property).
            let imageId = try #require(image["id"] as? String), imagePage = "/dashboard/project/images/\(imageId)"
            let edit = [("name", "up-2"), ("visibility", "shared"), ("min_disk", "2"), ("min_ram", ""), ("properties", "os_distro=cirros\nnote=<i>x</i>")]
            #expect(try await browser.post(imagePage + "/edit", edit).status == 303)
            var edited = try await client.request(.get, "/image/v2/images/\(imageId)", token: admin)
            #expect(edited.value("name") as? String == "up-2" && edited.value("min_disk") as? Int == 2 && edited.value("os_distro") as? String == "cirros")
            #expect(try await browser.get(imagePage).body.contains("<td>&lt;i&gt;x&lt;/i&gt;</td>"), "metadata is shown as text")
            #expect(try await browser.post(imagePage + "/edit", [("name", "up-2"), ("properties", "os_distro=cirros"), ("protected", "1")]).status == 303)
            edited = try await client.request(.get, "/image/v2/images/\(imageId)", token: admin)
            #expect(edited.value("note") == nil && edited.value("protected") as? Bool == true)
            #expect(try await browser.post(imagePage + "/edit", [("name", "up-2"), ("properties", "status=gone")]).status == 303)
            let refusedEdit = try await browser.get(imagePage).body
            #expect(refusedEdit.contains("data-field=\"properties\">") && refusedEdit.contains("status=gone&#39; is not key=value"), "\(refusedEdit)")
            #expect(try await browser.post(imagePage + "/edit", [("name", "up-2")]).status == 303)

            // Admin pages: the hypervisors, and a compute service disabled from its page.
            #expect(try await browser.get("/dashboard/admin/hypervisors").body.contains("fake-0"))
            let services = try await client.request(.get, "/compute/v2.1/os-services?binary=nova-compute", token: admin, headers: ["OpenStack-API-Version": "compute 2.79"])
            let service = try #require((services.value("services") as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await browser.post("/dashboard/admin/services/\(service)/disable", [("reason", "maintenance")]).status == 303)
            let after = try await client.request(.get, "/compute/v2.1/os-services?binary=nova-compute", token: admin, headers: ["OpenStack-API-Version": "compute 2.79"])
            #expect((after.value("services") as? [[String: Any]])?.first?["status"] as? String == "disabled")

            // Identity and aggregates from the admin pages: a project, a user with a role on it (who then logs in there).
            #expect(try await browser.post("/dashboard/admin/projects/create", [("name", "dash-p"), ("description", "")]).status == 303)
            let projects = try await client.request(.get, "/identity/v3/projects?name=dash-p", token: admin)
            let project = try #require((projects.value("projects") as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await browser.post("/dashboard/admin/users/create", [("name", "dash-u"), ("password", "dash-pass"), ("project", project)]).status == 303)
            let users = try await client.request(.get, "/identity/v3/users?name=dash-u", token: admin)
            let user = try #require((users.value("users") as? [[String: Any]])?.first?["id"] as? String)
            let roles = try await client.request(.get, "/identity/v3/roles?name=member", token: admin)
            let memberRole = try #require((roles.value("roles") as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await browser.post("/dashboard/admin/users/\(user)/grant", [("project", project), ("role", memberRole)]).status == 303)
            var newcomer = Browser(client: client)
            try await newcomer.login(user: "dash-u", password: "dash-pass")
            #expect(try await newcomer.get("/dashboard/project/overview").body.contains(">dash-p</option>"))
            // A private flavor, and the projects given access to it.
            #expect(try await browser.post("/dashboard/admin/flavors/create", [("name", "priv"), ("vcpus", "1"), ("ram", "64"), ("disk", "0"), ("private", "1")]).status == 303)
            let flavors = try await client.request(.get, "/compute/v2.1/flavors?is_public=false", token: admin)
            let flavor = try #require((flavors.value("flavors") as? [[String: Any]])?.first { $0["name"] as? String == "priv" }?["id"] as? String)
            #expect(try await browser.post("/dashboard/admin/flavors/\(flavor)/grant", [("project", project)]).status == 303)
            let access = try await client.request(.get, "/compute/v2.1/flavors/\(flavor)/os-flavor-access", token: admin)
            #expect((access.value("flavor_access") as? [[String: Any]])?.map { $0["tenant_id"] as? String } == [project])
            #expect(try await browser.get("/dashboard/admin/flavors").body.contains("<td>dash-p</td>"))
            #expect(try await browser.post("/dashboard/admin/flavors/\(flavor)/revoke", [("project", project)]).status == 303)
            let none = try await client.request(.get, "/compute/v2.1/flavors/\(flavor)/os-flavor-access", token: admin)
            #expect((none.value("flavor_access") as? [[String: Any]])?.isEmpty == true)
            let badCount = try await browser.post("/dashboard/admin/flavors/create", [("name", "odd"), ("vcpus", "0"), ("ram", "64"), ("disk", "0")])
            #expect(badCount.status == 303)
            #expect(try await browser.get("/dashboard/admin/flavors").body.contains("data-field=\"vcpus\">The number of vCPUs is a whole number, 1 or more."))

            #expect(try await browser.post("/dashboard/admin/aggregates/create", [("name", "agg-a"), ("zone", "az-a")]).status == 303)
            let aggregates = try await client.request(.get, "/compute/v2.1/os-aggregates", token: admin)
            let aggregate = try #require((aggregates.value("aggregates") as? [[String: Any]])?.first?["id"] as? Int)
            #expect(try await browser.post("/dashboard/admin/aggregates/\(aggregate)/add_host", [("host", "fake-0")]).status == 303)
            #expect(try await browser.get("/dashboard/admin/aggregates").body.contains("<td>fake-0</td>"))

            // A member opens no admin page, and posts to none.
            _ = try await client.createUser("plain", password: "plain-pass", project: "demo", adminToken: admin)
            var member = Browser(client: client)
            try await member.login(user: "plain", password: "plain-pass")
            #expect(try await member.get("/dashboard/admin/hypervisors").status == 403)
            #expect(try await member.post("/dashboard/admin/services/\(service)/enable", []).status == 403)
            #expect(!(try await member.get("/dashboard/project/instances").body.contains("/dashboard/admin/")))
        }
    }
}
