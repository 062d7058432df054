import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// Who may do what: administration needs `admin`; a member reads itself and its project; a reader never mutates.
@Suite("Identity policy")
struct IdentityPolicyTests {
    /// A cloud with member alice on project demo; returns the admin token, alice's token and ids.
    struct Setup: Sendable {
        let admin: String
        let member: String
        let memberId: String
        let projectId: String
    }

    static func setUp(_ client: TestClient, role: String = "member") async throws -> Setup {
        let admin = try await client.token()
        let (userId, projectId) = try await client.createUser("alice", password: "alice-password", project: "demo", role: role, adminToken: admin)
        let member = try await client.token(user: "alice", password: "alice-password", project: "demo")
        return Setup(admin: admin, member: member, memberId: userId, projectId: projectId)
    }

    @Test("a member cannot list users: 403 naming identity:list_users")
    func memberListsUsers() async throws {
        try await TestCloud.with { cloud, client in
            let setup = try await Self.setUp(client)
            let reply = try await client.request(.get, "/identity/v3/users", token: setup.member)
            expectFault(reply, 403, messageContains: "identity:list_users")
            #expect(reply.faultTitle == "Forbidden")
        }
    }

    @Test("a member reads its own user, not another")
    func memberReadsUsers() async throws {
        try await TestCloud.with { cloud, client in
            let setup = try await Self.setUp(client)
            let own = try await client.request(.get, "/identity/v3/users/\(setup.memberId)", token: setup.member)
            #expect(own.status == 200)
            #expect(own.value("user", "name") as? String == "alice")
            let adminId = try await client.id(of: "users", named: "admin", token: setup.admin)
            let other = try await client.request(.get, "/identity/v3/users/\(adminId)", token: setup.member)
            expectFault(other, 403, messageContains: "identity:get_user")
            // As Keystone, the target is looked up before the policy check: a missing user is 404 for everyone.
            expectFault(try await client.request(.get, "/identity/v3/users/0123456789abcdef0123456789abcdef", token: setup.member), 404)
        }
    }

    @Test("a member reads its own project, not another, and cannot list projects")
    func memberReadsProjects() async throws {
        try await TestCloud.with { cloud, client in
            let setup = try await Self.setUp(client)
            let own = try await client.request(.get, "/identity/v3/projects/\(setup.projectId)", token: setup.member)
            #expect(own.status == 200)
            #expect(own.value("project", "name") as? String == "demo")
            let adminProject = try await client.id(of: "projects", named: "admin", token: setup.admin)
            expectFault(try await client.request(.get, "/identity/v3/projects/\(adminProject)", token: setup.member), 403, messageContains: "identity:get_project")
            expectFault(try await client.request(.get, "/identity/v3/projects", token: setup.member), 403, messageContains: "identity:list_projects")
        }
    }

    @Test("a member cannot create, change or delete identity objects")
    func memberCannotMutate() async throws {
        try await TestCloud.with { cloud, client in
            let setup = try await Self.setUp(client)
            let memberRole = try await client.id(of: "roles", named: "member", token: setup.admin)
            let adminRole = try await client.id(of: "roles", named: "admin", token: setup.admin)
            let cases: [(String, [String: Any]?, String)] = [
                ("POST /identity/v3/projects", ["project": ["name": "mine"]], "identity:create_project"),
                ("POST /identity/v3/users", ["user": ["name": "mallory", "password": "x"]], "identity:create_user"),
                ("POST /identity/v3/roles", ["role": ["name": "superuser"]], "identity:create_role"),
                ("POST /identity/v3/domains", ["domain": ["name": "mine"]], "identity:create_domain"),
                ("POST /identity/v3/services", ["service": ["type": "evil"]], "identity:create_service"),
                ("PATCH /identity/v3/projects/\(setup.projectId)", ["project": ["name": "renamed"]], "identity:update_project"),
                ("PATCH /identity/v3/users/\(setup.memberId)", ["user": ["enabled": true]], "identity:update_user"),
                ("DELETE /identity/v3/projects/\(setup.projectId)", nil, "identity:delete_project"),
                ("PUT /identity/v3/projects/\(setup.projectId)/users/\(setup.memberId)/roles/\(adminRole)", nil, "identity:create_grant"),
                ("DELETE /identity/v3/projects/\(setup.projectId)/users/\(setup.memberId)/roles/\(memberRole)", nil, "identity:revoke_grant"),
            ]
            for (call, body, action) in cases {
                let parts = call.split(separator: " ", maxSplits: 1)
                let method: HTTPRequest.Method = switch parts[0] {
                case "POST": .post
                case "PATCH": .patch
                case "PUT": .put
                default: .delete
                }
                let reply = try await client.request(method, String(parts[1]), token: setup.member, json: body)
                expectFault(reply, 403, messageContains: action)
            }
            // Nothing changed: still a member of demo only, and no admin role.
            let roles = try await client.request(.get, "/identity/v3/projects/\(setup.projectId)/users/\(setup.memberId)/roles", token: setup.admin)
            #expect(roles.list("roles").compactMap { $0["name"] as? String } == ["member"])
            #expect(try await client.request(.get, "/identity/v3/projects?name=mine", token: setup.admin).list("projects").isEmpty)
            #expect(try await client.request(.get, "/identity/v3/projects/\(setup.projectId)", token: setup.admin).value("project", "name") as? String == "demo")
        }
    }

    @Test("a reader cannot create anything")
    func readerCannotCreate() async throws {
        try await TestCloud.with { cloud, client in
            let setup = try await Self.setUp(client, role: "reader")
            let token = try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "alice-password", project: "demo"))
            let roles = (token.value("token", "roles") as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(roles == ["reader"])
            for (path, body) in [
                ("/identity/v3/projects", ["project": ["name": "p"]]),
                ("/identity/v3/users", ["user": ["name": "u"]]),
                ("/identity/v3/roles", ["role": ["name": "r"]]),
                ("/identity/v3/domains", ["domain": ["name": "d"]]),
                ("/identity/v3/services", ["service": ["type": "t"]]),
            ] as [(String, [String: Any])] {
                let reply = try await client.request(.post, path, token: setup.member, json: body)
                expectFault(reply, 403)
            }
            let endpoint = try await client.request(
                .post, "/identity/v3/endpoints", token: setup.member,
                json: ["endpoint": ["service_id": "x", "interface": "public", "url": "http://x"]]
            )
            expectFault(endpoint, 403)
            // A reader still reads its own project and itself.
            #expect(try await client.request(.get, "/identity/v3/projects/\(setup.projectId)", token: setup.member).status == 200)
            #expect(try await client.request(.get, "/identity/v3/users/\(setup.memberId)", token: setup.member).status == 200)
        }
    }

    @Test("a member cannot read roles, domains other than its own, services or endpoints lists")
    func memberCannotReadAdministration() async throws {
        try await TestCloud.with { cloud, client in
            let setup = try await Self.setUp(client)
            for path in ["/identity/v3/roles", "/identity/v3/domains", "/identity/v3/services", "/identity/v3/endpoints", "/identity/v3/role_assignments"] {
                expectFault(try await client.request(.get, path, token: setup.member), 403)
            }
            // Its own domain it may read.
            #expect(try await client.request(.get, "/identity/v3/domains/default", token: setup.member).status == 200)
        }
    }

    @Test("admin rights come from the token's scope: admin's unscoped token is not an admin token")
    func unscopedAdminIsNotAdmin() async throws {
        try await TestCloud.with { cloud, client in
            var body = TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: nil)
            var auth = try #require(body["auth"] as? [String: Any])
            auth["scope"] = "unscoped"
            body["auth"] = auth
            let token = try #require(try await client.authenticate(body).header("X-Subject-Token"))
            expectFault(try await client.request(.get, "/identity/v3/users", token: token), 403)
            expectFault(try await client.request(.post, "/identity/v3/projects", token: token, json: ["project": ["name": "x"]]), 403)
        }
    }

    @Test("every route but version discovery and token issue needs a token", arguments: [
        "/identity/v3/users", "/identity/v3/projects", "/identity/v3/domains", "/identity/v3/roles", "/identity/v3/role_assignments",
        "/identity/v3/services", "/identity/v3/endpoints", "/identity/v3/auth/tokens", "/identity/v3/auth/projects", "/identity/v3/auth/catalog",
    ])
    func tokenRequired(path: String) async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.request(.get, path)
            expectFault(reply, 401)
            #expect(reply.faultMessage == "The request you have made requires authentication.")
        }
    }
}
