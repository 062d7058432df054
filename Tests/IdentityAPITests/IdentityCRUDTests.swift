import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// Create, read, update and delete of every identity resource, with Keystone's response shapes.
@Suite("Identity CRUD")
struct IdentityCRUDTests {
    static let v3 = "http://127.0.0.1:8780/identity/v3"

    // MARK: domains

    @Test("domains: create 201, show, list by name, update, delete needs disable first, then 404")
    func domains() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let created = try await client.request(
                .post, "/identity/v3/domains", token: admin, json: ["domain": ["name": "acme", "description": "Acme Corp"]]
            )
            #expect(created.status == 201)
            let id = try #require(created.value("domain", "id") as? String)
            #expect(id.count == 32)
            #expect(created.value("domain", "name") as? String == "acme")
            #expect(created.value("domain", "description") as? String == "Acme Corp")
            #expect(created.value("domain", "enabled") as? Bool == true)
            #expect(created.value("domain", "links", "self") as? String == "\(Self.v3)/domains/\(id)")

            let shown = try await client.request(.get, "/identity/v3/domains/\(id)", token: admin)
            #expect(shown.status == 200)
            #expect(shown.value("domain", "name") as? String == "acme")

            let listed = try await client.request(.get, "/identity/v3/domains?name=acme", token: admin)
            #expect(listed.status == 200)
            #expect(listed.list("domains").map { $0["id"] as? String } == [id])
            #expect(listed.value("links", "self") as? String == "\(Self.v3)/domains")
            let all = try await client.request(.get, "/identity/v3/domains", token: admin).list("domains")
            #expect(Set(all.compactMap { $0["id"] as? String }) == ["default", id])

            let updated = try await client.request(.patch, "/identity/v3/domains/\(id)", token: admin, json: ["domain": ["description": "new"]])
            #expect(updated.status == 200)
            #expect(updated.value("domain", "description") as? String == "new")
            #expect(updated.value("domain", "name") as? String == "acme")

            let refused = try await client.request(.delete, "/identity/v3/domains/\(id)", token: admin)
            expectFault(refused, 403)
            #expect(try await client.request(.get, "/identity/v3/domains/\(id)", token: admin).status == 200)

            let disabled = try await client.request(.patch, "/identity/v3/domains/\(id)", token: admin, json: ["domain": ["enabled": false]])
            #expect(disabled.value("domain", "enabled") as? Bool == false)
            let deleted = try await client.request(.delete, "/identity/v3/domains/\(id)", token: admin)
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)

            let gone = try await client.request(.get, "/identity/v3/domains/\(id)", token: admin)
            expectFault(gone, 404)
            #expect(gone.faultMessage == "Could not find domain: \(id).")
            expectFault(try await client.request(.delete, "/identity/v3/domains/\(id)", token: admin), 404)
        }
    }

    @Test("a disabled domain that still has projects cannot be deleted (409)")
    func domainWithProjects() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let domain = try await client.request(.post, "/identity/v3/domains", token: admin, json: ["domain": ["name": "busy"]])
            let domainId = try #require(domain.value("domain", "id") as? String)
            let project = try await client.request(
                .post, "/identity/v3/projects", token: admin, json: ["project": ["name": "inside", "domain_id": domainId]]
            )
            #expect(project.status == 201)
            #expect(project.value("project", "domain_id") as? String == domainId)
            _ = try await client.request(.patch, "/identity/v3/domains/\(domainId)", token: admin, json: ["domain": ["enabled": false]])
            expectFault(try await client.request(.delete, "/identity/v3/domains/\(domainId)", token: admin), 409)
            #expect(try await client.request(.get, "/identity/v3/domains/\(domainId)", token: admin).status == 200)
        }
    }

    // MARK: projects

    @Test("projects: create 201 with Keystone's fields, list ?name=, show, update, delete, then 404")
    func projects() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let created = try await client.request(
                .post, "/identity/v3/projects", token: admin, json: ["project": ["name": "demo", "description": "Demo project"]]
            )
            #expect(created.status == 201)
            let id = try #require(created.value("project", "id") as? String)
            #expect(created.value("project", "name") as? String == "demo")
            #expect(created.value("project", "domain_id") as? String == "default")
            #expect(created.value("project", "parent_id") as? String == "default")
            #expect(created.value("project", "is_domain") as? Bool == false)
            #expect(created.value("project", "enabled") as? Bool == true)
            #expect(created.value("project", "description") as? String == "Demo project")
            #expect(created.value("project", "tags") as? [Any] != nil)
            #expect(created.value("project", "links", "self") as? String == "\(Self.v3)/projects/\(id)")
            _ = try await client.createProject("other", adminToken: admin)

            let filtered = try await client.request(.get, "/identity/v3/projects?name=demo", token: admin)
            #expect(filtered.status == 200)
            #expect(filtered.list("projects").map { $0["id"] as? String } == [id])
            #expect(filtered.value("links", "self") as? String == "\(Self.v3)/projects")
            let all = try await client.request(.get, "/identity/v3/projects", token: admin).list("projects")
            #expect(Set(all.compactMap { $0["name"] as? String }) == ["admin", "demo", "other"])
            let none = try await client.request(.get, "/identity/v3/projects?name=nothing", token: admin)
            #expect(none.status == 200)
            #expect(none.list("projects").isEmpty)

            let shown = try await client.request(.get, "/identity/v3/projects/\(id)", token: admin)
            #expect(shown.value("project", "name") as? String == "demo")

            let renamed = try await client.request(.patch, "/identity/v3/projects/\(id)", token: admin, json: ["project": ["name": "demo2"]])
            #expect(renamed.status == 200)
            #expect(renamed.value("project", "name") as? String == "demo2")
            #expect(renamed.value("project", "description") as? String == "Demo project")

            let moved = try await client.request(.patch, "/identity/v3/projects/\(id)", token: admin, json: ["project": ["domain_id": "elsewhere"]])
            expectFault(moved, 400, messageContains: "project.domain_id")

            let deleted = try await client.request(.delete, "/identity/v3/projects/\(id)", token: admin)
            #expect(deleted.status == 204)
            let gone = try await client.request(.get, "/identity/v3/projects/\(id)", token: admin)
            expectFault(gone, 404)
            #expect(gone.faultMessage == "Could not find project: \(id).")
            expectFault(try await client.request(.patch, "/identity/v3/projects/\(id)", token: admin, json: ["project": ["name": "x"]]), 404)
        }
    }

    @Test("a project in a domain that does not exist is 400")
    func projectInMissingDomain() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let reply = try await client.request(.post, "/identity/v3/projects", token: admin, json: ["project": ["name": "p", "domain_id": "nope"]])
            expectFault(reply, 400, messageContains: "project.domain_id")
        }
    }

    // MARK: users

    @Test("users: create with password 201 (no password in the body), then log in with it")
    func createUserAndLogIn() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let projectId = try await client.createProject("demo", adminToken: admin)
            let created = try await client.request(
                .post, "/identity/v3/users", token: admin,
                json: ["user": ["name": "alice", "password": "alice-password", "email": "alice@example.com", "default_project_id": projectId]]
            )
            #expect(created.status == 201)
            let id = try #require(created.value("user", "id") as? String)
            let user = try #require(created.object?["user"] as? [String: Any])
            #expect(user["name"] as? String == "alice")
            #expect(user["domain_id"] as? String == "default")
            #expect(user["enabled"] as? Bool == true)
            #expect(user["email"] as? String == "alice@example.com")
            #expect(user["default_project_id"] as? String == projectId)
            #expect(user["password"] == nil)
            #expect(user["password_hash"] == nil)
            #expect(user.keys.contains("password_expires_at"))
            #expect(!created.body.contains("scrypt"))
            #expect(created.value("user", "links", "self") as? String == "\(Self.v3)/users/\(id)")

            let shown = try await client.request(.get, "/identity/v3/users/\(id)", token: admin)
            #expect(shown.status == 200)
            #expect(shown.value("user", "name") as? String == "alice")
            #expect(!shown.body.contains("scrypt"))
            let listed = try await client.request(.get, "/identity/v3/users?name=alice", token: admin)
            #expect(listed.list("users").map { $0["id"] as? String } == [id])
            #expect(listed.value("links", "self") as? String == "\(Self.v3)/users")
            #expect(!listed.body.contains("scrypt"))

            // Unscoped login needs no role.
            let unscoped = try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "alice-password", project: nil))
            #expect(unscoped.status == 201)
            #expect(unscoped.value("token", "user", "id") as? String == id)
            try await client.grant("member", user: id, project: projectId, adminToken: admin)
            let scoped = try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "alice-password", project: "demo"))
            #expect(scoped.status == 201)
            #expect(scoped.value("token", "project", "id") as? String == projectId)
        }
    }

    @Test("a user with a default project that does not exist is 400")
    func userWithMissingDefaultProject() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let reply = try await client.request(
                .post, "/identity/v3/users", token: admin, json: ["user": ["name": "u", "default_project_id": "nope"]]
            )
            expectFault(reply, 400, messageContains: "user.default_project_id")
            let domain = try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": "u", "domain_id": "nope"]])
            expectFault(domain, 400, messageContains: "user.domain_id")
        }
    }

    @Test("PATCH user: rename, disable and enable")
    func updateUserNameAndEnabled() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, _) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)

            let renamed = try await client.request(.patch, "/identity/v3/users/\(id)", token: admin, json: ["user": ["name": "alicia"]])
            #expect(renamed.status == 200)
            #expect(renamed.value("user", "name") as? String == "alicia")
            #expect(renamed.value("user", "enabled") as? Bool == true)
            #expect(try await client.authenticate(TestClient.passwordAuth(user: "alicia", password: "alice-password", project: "demo")).status == 201)
            #expect(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "alice-password", project: "demo")).status == 401)

            let disabled = try await client.request(.patch, "/identity/v3/users/\(id)", token: admin, json: ["user": ["enabled": false]])
            #expect(disabled.value("user", "enabled") as? Bool == false)
            #expect(try await client.authenticate(TestClient.passwordAuth(user: "alicia", password: "alice-password", project: "demo")).status == 401)

            cloud.clock.advance(seconds: 1)
            let enabled = try await client.request(.patch, "/identity/v3/users/\(id)", token: admin, json: ["user": ["enabled": true]])
            #expect(enabled.value("user", "enabled") as? Bool == true)
            let token = try await client.token(user: "alicia", password: "alice-password", project: "demo")
            #expect(try await client.statusUsing(token) == 200)
        }
    }

    @Test("PATCH user password: the old password fails, the new works, existing tokens are revoked")
    func adminChangesPassword() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, _) = try await client.createUser("alice", password: "old-password", project: "demo", adminToken: admin)
            let before = try await client.token(user: "alice", password: "old-password", project: "demo")
            #expect(try await client.statusUsing(before) == 200)

            let changed = try await client.request(.patch, "/identity/v3/users/\(id)", token: admin, json: ["user": ["password": "new-password"]])
            #expect(changed.status == 200)
            #expect(!changed.body.contains("new-password"))
            #expect(try await client.statusUsing(before) == 401)
            let stale = try await client.request(.get, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": before])
            expectFault(stale, 404)

            cloud.clock.advance(seconds: 1)
            expectFault(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "old-password", project: "demo")), 401)
            let after = try await client.token(user: "alice", password: "new-password", project: "demo")
            #expect(try await client.statusUsing(after) == 200)
            // The admin's own tokens are untouched.
            #expect(try await client.statusUsing(admin) == 200)
        }
    }

    @Test("POST /v3/users/{id}/password by the user itself: 204, old password fails, new works")
    func selfServicePasswordChange() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, _) = try await client.createUser("alice", password: "old-password", project: "demo", adminToken: admin)
            let alice = try await client.token(user: "alice", password: "old-password", project: "demo")

            let changed = try await client.request(
                .post, "/identity/v3/users/\(id)/password", token: alice,
                json: ["user": ["original_password": "old-password", "password": "new-password"]]
            )
            #expect(changed.status == 204)
            #expect(changed.body.isEmpty)
            // Keystone revokes the user's tokens on a password change, the one used included.
            #expect(try await client.statusUsing(alice) == 401)

            cloud.clock.advance(seconds: 1)
            expectFault(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "old-password", project: "demo")), 401)
            let fresh = try await client.token(user: "alice", password: "new-password", project: "demo")
            #expect(try await client.statusUsing(fresh) == 200)
        }
    }

    @Test("POST /v3/users/{id}/password with a wrong original password is 401 and changes nothing")
    func selfServicePasswordChangeWrongOriginal() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, _) = try await client.createUser("alice", password: "old-password", project: "demo", adminToken: admin)
            let alice = try await client.token(user: "alice", password: "old-password", project: "demo")
            let refused = try await client.request(
                .post, "/identity/v3/users/\(id)/password", token: alice,
                json: ["user": ["original_password": "wrong", "password": "new-password"]]
            )
            expectFault(refused, 401)
            #expect(try await client.statusUsing(alice) == 200)
            #expect(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "old-password", project: "demo")).status == 201)
            #expect(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "new-password", project: "demo")).status == 401)
        }
    }

    @Test("POST /v3/users/{id}/password for another user is 403, even for an admin")
    func passwordChangeOfAnotherUser() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, _) = try await client.createUser("alice", password: "old-password", project: "demo", adminToken: admin)
            let refused = try await client.request(
                .post, "/identity/v3/users/\(id)/password", token: admin,
                json: ["user": ["original_password": "old-password", "password": "new-password"]]
            )
            expectFault(refused, 403)
        }
    }

    @Test("DELETE user: 204, then 404 'Could not find user: <id>.' and its tokens are gone")
    func deleteUser() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, _) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let alice = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let deleted = try await client.request(.delete, "/identity/v3/users/\(id)", token: admin)
            #expect(deleted.status == 204)
            let gone = try await client.request(.get, "/identity/v3/users/\(id)", token: admin)
            expectFault(gone, 404)
            #expect(gone.faultMessage == "Could not find user: \(id).")
            #expect(try await client.statusUsing(alice) == 401)
            expectFault(try await client.request(.delete, "/identity/v3/users/\(id)", token: admin), 404)
            // Its assignments went with it.
            let assignments = try await client.request(.get, "/identity/v3/role_assignments?user.id=\(id)", token: admin)
            #expect(assignments.list("role_assignments").isEmpty)
        }
    }

    @Test("GET /v3/users/{id}/projects lists the projects the user has roles on")
    func userProjects() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (id, demoId) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let secondId = try await client.createProject("second", adminToken: admin)
            try await client.grant("reader", user: id, project: secondId, adminToken: admin)
            try await client.grant("member", user: id, project: secondId, adminToken: admin)
            _ = try await client.createProject("unrelated", adminToken: admin)

            let reply = try await client.request(.get, "/identity/v3/users/\(id)/projects", token: admin)
            #expect(reply.status == 200)
            let ids = reply.list("projects").compactMap { $0["id"] as? String }
            #expect(ids.sorted() == [demoId, secondId].sorted())
            #expect(reply.value("links", "self") as? String == "\(Self.v3)/users/\(id)/projects")

            let alice = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let own = try await client.request(.get, "/identity/v3/users/\(id)/projects", token: alice)
            #expect(own.status == 200)
            #expect(own.list("projects").count == 2)
            let adminId = try await client.id(of: "users", named: "admin", token: admin)
            expectFault(try await client.request(.get, "/identity/v3/users/\(adminId)/projects", token: alice), 403)
            expectFault(try await client.request(.get, "/identity/v3/users/nope/projects", token: admin), 404)
        }
    }

    // MARK: roles

    @Test("roles: create 201, show, list ?name=, update, delete, then 404")
    func roles() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let created = try await client.request(.post, "/identity/v3/roles", token: admin, json: ["role": ["name": "auditor"]])
            #expect(created.status == 201)
            let id = try #require(created.value("role", "id") as? String)
            #expect(created.value("role", "name") as? String == "auditor")
            #expect(created.value("role", "links", "self") as? String == "\(Self.v3)/roles/\(id)")
            let role = try #require(created.object?["role"] as? [String: Any])
            #expect(role.keys.contains("domain_id"))

            let all = try await client.request(.get, "/identity/v3/roles", token: admin).list("roles")
            #expect(Set(all.compactMap { $0["name"] as? String }) == ["admin", "member", "reader", "auditor"])
            let filtered = try await client.request(.get, "/identity/v3/roles?name=auditor", token: admin)
            #expect(filtered.list("roles").map { $0["id"] as? String } == [id])

            let shown = try await client.request(.get, "/identity/v3/roles/\(id)", token: admin)
            #expect(shown.value("role", "name") as? String == "auditor")
            let updated = try await client.request(.patch, "/identity/v3/roles/\(id)", token: admin, json: ["role": ["description": "reads logs"]])
            #expect(updated.status == 200)
            #expect(updated.value("role", "description") as? String == "reads logs")

            let deleted = try await client.request(.delete, "/identity/v3/roles/\(id)", token: admin)
            #expect(deleted.status == 204)
            let gone = try await client.request(.get, "/identity/v3/roles/\(id)", token: admin)
            expectFault(gone, 404)
            #expect(gone.faultMessage == "Could not find role: \(id).")
        }
    }

    // MARK: grants

    @Test("role grants on a project: PUT 204, HEAD/GET 204, list, DELETE 204, then 404")
    func projectGrants() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let userId = try await client.createBareUser("alice", password: "alice-password", adminToken: admin)
            let projectId = try await client.createProject("demo", adminToken: admin)
            let roleId = try await client.id(of: "roles", named: "member", token: admin)
            let path = "/identity/v3/projects/\(projectId)/users/\(userId)/roles/\(roleId)"

            expectFault(try await client.request(.get, path, token: admin), 404)
            #expect(try await client.request(.head, path, token: admin).status == 404)

            let granted = try await client.request(.put, path, token: admin)
            #expect(granted.status == 204)
            #expect(granted.body.isEmpty)
            #expect(try await client.request(.put, path, token: admin).status == 204)
            #expect(try await client.request(.head, path, token: admin).status == 204)
            #expect(try await client.request(.get, path, token: admin).status == 204)

            let listed = try await client.request(.get, "/identity/v3/projects/\(projectId)/users/\(userId)/roles", token: admin)
            #expect(listed.status == 200)
            #expect(listed.list("roles").map { $0["id"] as? String } == [roleId])
            #expect(listed.list("roles").first?["name"] as? String == "member")
            #expect(listed.value("links", "self") as? String == "\(Self.v3)/projects/\(projectId)/users/\(userId)/roles")

            #expect(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "alice-password", project: "demo")).status == 201)

            let revoked = try await client.request(.delete, path, token: admin)
            #expect(revoked.status == 204)
            #expect(try await client.request(.head, path, token: admin).status == 404)
            expectFault(try await client.request(.delete, path, token: admin), 404)
            #expect(try await client.request(.get, "/identity/v3/projects/\(projectId)/users/\(userId)/roles", token: admin).list("roles").isEmpty)
            cloud.clock.advance(seconds: 1)
            expectFault(try await client.authenticate(TestClient.passwordAuth(user: "alice", password: "alice-password", project: "demo")), 401)
        }
    }

    @Test("grants naming a missing project, user or role are 404 naming it")
    func grantsOnMissingThings() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let userId = try await client.createBareUser("alice", password: "alice-password", adminToken: admin)
            let projectId = try await client.createProject("demo", adminToken: admin)
            let roleId = try await client.id(of: "roles", named: "member", token: admin)
            let noProject = try await client.request(.put, "/identity/v3/projects/nope/users/\(userId)/roles/\(roleId)", token: admin)
            expectFault(noProject, 404, messageContains: "project")
            let noUser = try await client.request(.put, "/identity/v3/projects/\(projectId)/users/nope/roles/\(roleId)", token: admin)
            expectFault(noUser, 404, messageContains: "user")
            let noRole = try await client.request(.put, "/identity/v3/projects/\(projectId)/users/\(userId)/roles/nope", token: admin)
            expectFault(noRole, 404, messageContains: "role")
        }
    }

    @Test("role grants on a domain allow a domain-scoped token")
    func domainGrants() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let userId = try await client.createBareUser("alice", password: "alice-password", adminToken: admin)
            let roleId = try await client.id(of: "roles", named: "reader", token: admin)
            let path = "/identity/v3/domains/default/users/\(userId)/roles/\(roleId)"
            #expect(try await client.request(.put, path, token: admin).status == 204)
            #expect(try await client.request(.head, path, token: admin).status == 204)
            let listed = try await client.request(.get, "/identity/v3/domains/default/users/\(userId)/roles", token: admin)
            #expect(listed.list("roles").map { $0["name"] as? String } == ["reader"])

            var body = TestClient.passwordAuth(user: "alice", password: "alice-password", project: nil)
            var auth = try #require(body["auth"] as? [String: Any])
            auth["scope"] = ["domain": ["name": "Default"]]
            body["auth"] = auth
            let token = try await client.authenticate(body)
            #expect(token.status == 201)
            #expect(token.value("token", "domain", "id") as? String == "default")
        }
    }

    @Test("GET /v3/role_assignments filters by user.id, scope.project.id and role.id, and includes names")
    func roleAssignments() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (aliceId, demoId) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let (bobId, _) = try await client.createUser("bob", password: "bob-password", project: "demo", role: "reader", adminToken: admin)
            let memberId = try await client.id(of: "roles", named: "member", token: admin)
            let readerId = try await client.id(of: "roles", named: "reader", token: admin)
            let adminUserId = try await client.id(of: "users", named: "admin", token: admin)

            let all = try await client.request(.get, "/identity/v3/role_assignments", token: admin)
            #expect(all.status == 200)
            // admin on project admin and on domain default, alice member and bob reader on demo.
            #expect(all.list("role_assignments").count == 4)
            #expect(all.value("links", "self") as? String == "\(Self.v3)/role_assignments")

            let byUser = try await client.request(.get, "/identity/v3/role_assignments?user.id=\(aliceId)", token: admin).list("role_assignments")
            #expect(byUser.count == 1)
            let entry = try #require(byUser.first)
            #expect((entry["user"] as? [String: Any])?["id"] as? String == aliceId)
            #expect((entry["role"] as? [String: Any])?["id"] as? String == memberId)
            #expect(((entry["scope"] as? [String: Any])?["project"] as? [String: Any])?["id"] as? String == demoId)
            #expect((entry["links"] as? [String: Any])?["assignment"] as? String == "\(Self.v3)/projects/\(demoId)/users/\(aliceId)/roles/\(memberId)")
            #expect((entry["user"] as? [String: Any])?["name"] == nil || (entry["user"] as? [String: Any])?["name"] is NSNull)

            let byProject = try await client.request(.get, "/identity/v3/role_assignments?scope.project.id=\(demoId)", token: admin)
                .list("role_assignments")
            #expect(Set(byProject.compactMap { ($0["user"] as? [String: Any])?["id"] as? String }) == [aliceId, bobId])

            let byRole = try await client.request(.get, "/identity/v3/role_assignments?role.id=\(readerId)", token: admin).list("role_assignments")
            #expect(byRole.compactMap { ($0["user"] as? [String: Any])?["id"] as? String } == [bobId])

            let combined = try await client.request(
                .get, "/identity/v3/role_assignments?scope.project.id=\(demoId)&role.id=\(memberId)", token: admin
            ).list("role_assignments")
            #expect(combined.compactMap { ($0["user"] as? [String: Any])?["id"] as? String } == [aliceId])

            let domainScoped = try await client.request(.get, "/identity/v3/role_assignments?scope.domain.id=default", token: admin)
                .list("role_assignments")
            #expect(domainScoped.compactMap { ($0["user"] as? [String: Any])?["id"] as? String } == [adminUserId])

            let named = try await client.request(.get, "/identity/v3/role_assignments?user.id=\(aliceId)&include_names", token: admin)
            let namedEntry = try #require(named.list("role_assignments").first)
            let user = try #require(namedEntry["user"] as? [String: Any])
            #expect(user["name"] as? String == "alice")
            #expect((user["domain"] as? [String: Any])?["name"] as? String == "Default")
            #expect((namedEntry["role"] as? [String: Any])?["name"] as? String == "member")
            let project = try #require((namedEntry["scope"] as? [String: Any])?["project"] as? [String: Any])
            #expect(project["name"] as? String == "demo")
            #expect((project["domain"] as? [String: Any])?["id"] as? String == "default")

            let namedTrue = try await client.request(.get, "/identity/v3/role_assignments?role.id=\(readerId)&include_names=true", token: admin)
            #expect(((namedTrue.list("role_assignments").first?["user"]) as? [String: Any])?["name"] as? String == "bob")
        }
    }

    @Test("a member may list its own role assignments but not everyone's")
    func ownRoleAssignments() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (aliceId, _) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let alice = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let own = try await client.request(.get, "/identity/v3/role_assignments?user.id=\(aliceId)", token: alice)
            #expect(own.status == 200)
            #expect(own.list("role_assignments").count == 1)
            expectFault(try await client.request(.get, "/identity/v3/role_assignments", token: alice), 403, messageContains: "identity:list_role_assignments")
        }
    }

    // MARK: catalog

    @Test("services and endpoints: create 201, bad interface 400, listed, in new tokens' catalog, delete 204 then 404")
    func servicesAndEndpoints() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let service = try await client.request(
                .post, "/identity/v3/services", token: admin, json: ["service": ["type": "placement", "name": "placement", "description": "Placement"]]
            )
            #expect(service.status == 201)
            let serviceId = try #require(service.value("service", "id") as? String)
            #expect(service.value("service", "type") as? String == "placement")
            #expect(service.value("service", "name") as? String == "placement")
            #expect(service.value("service", "enabled") as? Bool == true)
            #expect(service.value("service", "links", "self") as? String == "\(Self.v3)/services/\(serviceId)")

            let services = try await client.request(.get, "/identity/v3/services?type=placement", token: admin)
            #expect(services.list("services").map { $0["id"] as? String } == [serviceId])

            for interface in ["private", "PUBLIC", ""] {
                let bad = try await client.request(
                    .post, "/identity/v3/endpoints", token: admin,
                    json: ["endpoint": ["service_id": serviceId, "interface": interface, "url": "http://127.0.0.1:8780/placement"]]
                )
                expectFault(bad, 400, messageContains: "endpoint.interface")
            }
            let badURL = try await client.request(
                .post, "/identity/v3/endpoints", token: admin,
                json: ["endpoint": ["service_id": serviceId, "interface": "public", "url": "ftp://example.com"]]
            )
            expectFault(badURL, 400, messageContains: "endpoint.url")
            let badService = try await client.request(
                .post, "/identity/v3/endpoints", token: admin,
                json: ["endpoint": ["service_id": "nope", "interface": "public", "url": "http://x"]]
            )
            expectFault(badService, 400, messageContains: "endpoint.service_id")

            var endpointIds: [String] = []
            for interface in ["public", "internal", "admin"] {
                let endpoint = try await client.request(
                    .post, "/identity/v3/endpoints", token: admin,
                    json: ["endpoint": ["service_id": serviceId, "interface": interface, "url": "http://127.0.0.1:8780/placement", "region_id": "RegionOne"]]
                )
                #expect(endpoint.status == 201)
                let id = try #require(endpoint.value("endpoint", "id") as? String)
                #expect(endpoint.value("endpoint", "interface") as? String == interface)
                #expect(endpoint.value("endpoint", "service_id") as? String == serviceId)
                #expect(endpoint.value("endpoint", "region_id") as? String == "RegionOne")
                #expect(endpoint.value("endpoint", "links", "self") as? String == "\(Self.v3)/endpoints/\(id)")
                endpointIds.append(id)
            }
            let listed = try await client.request(.get, "/identity/v3/endpoints?service_id=\(serviceId)", token: admin)
            #expect(Set(listed.list("endpoints").compactMap { $0["id"] as? String }) == Set(endpointIds))

            // Regions are the ones the endpoints name.
            let elsewhere = try await client.request(
                .post, "/identity/v3/endpoints", token: admin,
                json: ["endpoint": ["service_id": serviceId, "interface": "public", "url": "http://127.0.0.1:8780/b", "region": "RegionTwo"]]
            )
            #expect(elsewhere.status == 201)
            let regions = try await client.request(.get, "/identity/v3/regions", token: admin)
            #expect(regions.list("regions").compactMap { $0["id"] as? String } == ["RegionOne", "RegionTwo"])
            let region = try await client.request(.get, "/identity/v3/regions/RegionTwo", token: admin)
            #expect(region.value("region", "links", "self") as? String == "\(Self.v3)/regions/RegionTwo")
            expectFault(try await client.request(.get, "/identity/v3/regions/Nowhere", token: admin), 404)
            let removeElsewhere = try await client.request(
                .delete, "/identity/v3/endpoints/\(try #require(elsewhere.value("endpoint", "id") as? String))", token: admin
            )
            #expect(removeElsewhere.status == 204)

            let badPatch = try await client.request(.patch, "/identity/v3/endpoints/\(endpointIds[0])", token: admin, json: ["endpoint": ["interface": "bogus"]])
            expectFault(badPatch, 400, messageContains: "endpoint.interface")

            let token = try await client.authenticate(TokenTests.admin)
            let catalog = try #require(token.value("token", "catalog") as? [[String: Any]])
            let placement = try #require(catalog.first { $0["type"] as? String == "placement" })
            #expect((placement["endpoints"] as? [Any])?.count == 3)

            let deletedEndpoint = try await client.request(.delete, "/identity/v3/endpoints/\(endpointIds[0])", token: admin)
            #expect(deletedEndpoint.status == 204)
            let goneEndpoint = try await client.request(.get, "/identity/v3/endpoints/\(endpointIds[0])", token: admin)
            expectFault(goneEndpoint, 404)
            #expect(goneEndpoint.faultMessage == "Could not find endpoint: \(endpointIds[0]).")

            let deletedService = try await client.request(.delete, "/identity/v3/services/\(serviceId)", token: admin)
            #expect(deletedService.status == 204)
            let goneService = try await client.request(.get, "/identity/v3/services/\(serviceId)", token: admin)
            expectFault(goneService, 404)
            #expect(goneService.faultMessage == "Could not find service: \(serviceId).")
            // Its endpoints went with it.
            expectFault(try await client.request(.get, "/identity/v3/endpoints/\(endpointIds[1])", token: admin), 404)
            expectFault(try await client.request(.delete, "/identity/v3/services/\(serviceId)", token: admin), 404)
        }
    }
}
