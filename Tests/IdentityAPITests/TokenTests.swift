import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Tokens: /v3/auth/tokens and friends")
struct TokenTests {
    static var admin: [String: Any] { TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: "admin") }

    @Test("password auth scoped to a project by name: 201, X-Subject-Token and Keystone's token body")
    func projectScopedByName() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.authenticate(Self.admin)
            #expect(reply.status == 201)
            let subject = try #require(reply.header("X-Subject-Token"))
            #expect(!subject.isEmpty)
            #expect(reply.value("token", "user", "name") as? String == "admin")
            #expect(reply.value("token", "user", "domain", "id") as? String == "default")
            #expect(reply.value("token", "user", "domain", "name") as? String == "Default")
            #expect(reply.value("token", "project", "name") as? String == "admin")
            #expect(reply.value("token", "project", "domain", "id") as? String == "default")
            #expect(reply.value("token", "is_domain") as? Bool == false)
            let roles = try #require(reply.value("token", "roles") as? [[String: Any]])
            #expect(roles.contains { $0["name"] as? String == "admin" })
            #expect(roles.allSatisfy { ($0["id"] as? String)?.isEmpty == false })
            #expect(reply.value("token", "methods") as? [String] == ["password"])

            let catalog = try #require(reply.value("token", "catalog") as? [[String: Any]])
            let identity = try #require(catalog.first { $0["type"] as? String == "identity" })
            let endpoints = try #require(identity["endpoints"] as? [[String: Any]])
            #expect(endpoints.count == 3)
            #expect(Set(endpoints.compactMap { $0["interface"] as? String }) == ["public", "internal", "admin"])
            #expect(endpoints.allSatisfy { $0["url"] as? String == "http://127.0.0.1:8780/identity" })
            #expect(endpoints.allSatisfy { $0["region_id"] as? String == "RegionOne" && $0["region"] as? String == "RegionOne" })

            let expiresAt = try #require(reply.value("token", "expires_at") as? String)
            let issuedAt = try #require(reply.value("token", "issued_at") as? String)
            let format = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/
            #expect(expiresAt.hasSuffix("Z"))
            #expect(expiresAt.wholeMatch(of: format) != nil, "expires_at \(expiresAt)")
            #expect(issuedAt.wholeMatch(of: format) != nil, "issued_at \(issuedAt)")
            // The manual clock starts at 1_800_000_000 and tokens live an hour.
            #expect(issuedAt == "2027-01-15T08:00:00.000000Z")
            #expect(expiresAt == "2027-01-15T09:00:00.000000Z")

            let auditIds = try #require(reply.value("token", "audit_ids") as? [String])
            #expect(auditIds.count == 1)
            #expect(auditIds.first?.count == 22)
        }
    }

    @Test("password auth scoped to a project by id")
    func projectScopedById() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let projectId = try await client.id(of: "projects", named: "admin", token: admin)
            let reply = try await client.authenticate(
                TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, projectId: projectId)
            )
            #expect(reply.status == 201)
            #expect(reply.value("token", "project", "id") as? String == projectId)
            #expect(reply.value("token", "project", "name") as? String == "admin")
        }
    }

    @Test("a user authenticated by id (not name) gets a token")
    func userById() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let userId = try await client.id(of: "users", named: "admin", token: admin)
            let reply = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["password"], "password": ["user": ["id": userId, "password": TestCloud.adminPassword]]],
                    "scope": ["project": ["name": "admin", "domain": ["id": "default"]]],
                ] as [String: Any]
            ])
            #expect(reply.status == 201)
            #expect(reply.value("token", "user", "id") as? String == userId)
        }
    }

    @Test("unscoped: a user without a default project gets no project, roles or catalog")
    func unscoped() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let userId = try await client.createBareUser("loner", password: "loner-password", adminToken: admin)
            let projectId = try await client.createProject("loner-project", adminToken: admin)
            try await client.grant("member", user: userId, project: projectId, adminToken: admin)

            let reply = try await client.authenticate(TestClient.passwordAuth(user: "loner", password: "loner-password", project: nil))
            #expect(reply.status == 201)
            let token = try #require(reply.object?["token"] as? [String: Any])
            #expect(token["project"] == nil)
            #expect(token["domain"] == nil)
            #expect(token["roles"] == nil)
            #expect(token["is_domain"] == nil)
            // Keystone renders the catalog only for scoped tokens (render_token_response_from_model).
            #expect(token["catalog"] == nil, "unscoped token carries a catalog: \(String(describing: token["catalog"]))")
            #expect(reply.value("token", "user", "id") as? String == userId)
            #expect(reply.value("token", "methods") as? [String] == ["password"])
        }
    }

    @Test("no scope: a user with a role on its default project is scoped to it, as Keystone does")
    func defaultProjectScope() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.authenticate(TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: nil))
            #expect(reply.status == 201)
            #expect(reply.value("token", "project", "name") as? String == "admin")
        }
    }

    @Test("scope \"unscoped\" gives an unscoped token even with a default project")
    func explicitlyUnscoped() async throws {
        try await TestCloud.with { cloud, client in
            var body = TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: nil)
            var auth = try #require(body["auth"] as? [String: Any])
            auth["scope"] = "unscoped"
            body["auth"] = auth
            let reply = try await client.authenticate(body)
            #expect(reply.status == 201)
            #expect(reply.value("token", "project") == nil)
            #expect(reply.value("token", "roles") == nil)
        }
    }

    @Test("domain-scoped token: admin has admin on domain default")
    func domainScoped() async throws {
        try await TestCloud.with { cloud, client in
            var body = TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: nil)
            var auth = try #require(body["auth"] as? [String: Any])
            auth["scope"] = ["domain": ["id": "default"]]
            body["auth"] = auth
            let reply = try await client.authenticate(body)
            #expect(reply.status == 201)
            #expect(reply.value("token", "domain", "id") as? String == "default")
            #expect(reply.value("token", "domain", "name") as? String == "Default")
            #expect(reply.value("token", "project") == nil)
            let roles = try #require(reply.value("token", "roles") as? [[String: Any]])
            #expect(roles.map { $0["name"] as? String } == ["admin"])
            #expect((reply.value("token", "catalog") as? [Any])?.isEmpty == false)

            // A domain the user has no role on is refused.
            auth["scope"] = ["domain": ["name": "Nowhere"]]
            body["auth"] = auth
            let refused = try await client.authenticate(body)
            expectFault(refused, 401)
        }
    }

    @Test("rescope with the token method keeps expiry and chains audit ids")
    func rescope() async throws {
        try await TestCloud.with { cloud, client in
            let original = try await client.authenticate(TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: nil))
            #expect(original.status == 201)
            let originalToken = try #require(original.header("X-Subject-Token"))
            let originalExpiry = try #require(original.value("token", "expires_at") as? String)
            let originalAudit = try #require((original.value("token", "audit_ids") as? [String])?.first)

            cloud.clock.advance(seconds: 600)
            let rescoped = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["token"], "token": ["id": originalToken]],
                    "scope": ["domain": ["id": "default"]],
                ] as [String: Any]
            ])
            #expect(rescoped.status == 201, "\(rescoped.body)")
            let methods = try #require(rescoped.value("token", "methods") as? [String])
            #expect(methods.contains("token"))
            #expect(methods.contains("password"))
            #expect(rescoped.value("token", "expires_at") as? String == originalExpiry)
            #expect(rescoped.value("token", "issued_at") as? String == "2027-01-15T08:10:00.000000Z")
            #expect(rescoped.value("token", "domain", "id") as? String == "default")
            let auditIds = try #require(rescoped.value("token", "audit_ids") as? [String])
            #expect(auditIds.count == 2)
            #expect(auditIds.last == originalAudit)
            #expect(auditIds.first != originalAudit)
            #expect(rescoped.header("X-Subject-Token") != originalToken)
        }
    }

    @Test("rescope with an invalid token is 401")
    func rescopeWithGarbage() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.authenticate([
                "auth": ["identity": ["methods": ["token"], "token": ["id": "garbage"]]]
            ])
            expectFault(reply, 401)
        }
    }

    @Test("?nocatalog omits the catalog on issue and on validation")
    func noCatalog() async throws {
        try await TestCloud.with { cloud, client in
            let issued = try await client.authenticate(Self.admin, query: "?nocatalog")
            #expect(issued.status == 201)
            #expect(issued.value("token", "catalog") == nil)
            #expect(issued.value("token", "project", "name") as? String == "admin")
            let token = try #require(issued.header("X-Subject-Token"))

            let validated = try await client.request(.get, "/identity/v3/auth/tokens?nocatalog", token: token, headers: ["X-Subject-Token": token])
            #expect(validated.status == 200)
            #expect(validated.value("token", "catalog") == nil)
            let withCatalog = try await client.request(.get, "/identity/v3/auth/tokens", token: token, headers: ["X-Subject-Token": token])
            #expect(withCatalog.value("token", "catalog") as? [Any] != nil)
        }
    }

    @Test("GET /v3/auth/tokens validates the subject token; HEAD checks it")
    func validateAndCheck() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let adminId = try await client.id(of: "users", named: "admin", token: admin)
            let subject = try await client.token()
            let reply = try await client.request(.get, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": subject])
            #expect(reply.status == 200)
            #expect(reply.header("X-Subject-Token") == subject)
            #expect(reply.value("token", "user", "id") as? String == adminId)
            #expect(reply.value("token", "user", "name") as? String == "admin")
            #expect(reply.value("token", "project", "name") as? String == "admin")

            let head = try await client.request(.head, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": subject])
            #expect(head.status == 200)
            #expect(head.body.isEmpty)

            let missing = try await client.request(.get, "/identity/v3/auth/tokens", token: admin)
            expectFault(missing, 400, messageContains: "X-Subject-Token")

            let bogus = try await client.request(.get, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": "bogus"])
            expectFault(bogus, 404)
        }
    }

    @Test("DELETE /v3/auth/tokens revokes: 204, then 401 as X-Auth-Token and 404 as subject")
    func revoke() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let victim = try await client.token()
            let deleted = try await client.request(.delete, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": victim])
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)

            let asCaller = try await client.request(.get, "/identity/v3/projects", token: victim)
            expectFault(asCaller, 401)
            let asSubject = try await client.request(.get, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": victim])
            expectFault(asSubject, 404)
            let headSubject = try await client.request(.head, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": victim])
            #expect(headSubject.status == 404)
            // Revoking one token leaves the caller's (another audit id) alone.
            #expect(try await client.statusUsing(admin) == 200)
        }
    }

    @Test("a token revoking itself is gone afterwards")
    func revokeSelf() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let deleted = try await client.request(.delete, "/identity/v3/auth/tokens", token: token, headers: ["X-Subject-Token": token])
            #expect(deleted.status == 204)
            #expect(try await client.statusUsing(token) == 401)
        }
    }

    @Test("deleting a rescoped token leaves the token it was rescoped from valid (Keystone revokes by the token's own audit id)")
    func revokeRescopedKeepsParent() async throws {
        try await TestCloud.with { cloud, client in
            let parent = try await client.token(project: nil)
            let rescopedReply = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["token"], "token": ["id": parent]],
                    "scope": ["project": ["name": "admin", "domain": ["name": "Default"]]],
                ] as [String: Any]
            ])
            let child = try #require(rescopedReply.header("X-Subject-Token"))
            let deleted = try await client.request(.delete, "/identity/v3/auth/tokens", token: child, headers: ["X-Subject-Token": child])
            #expect(deleted.status == 204)
            #expect(try await client.statusUsing(child) == 401)
            #expect(try await client.statusUsing(parent) == 200, "revoking a rescoped token also revoked its parent")
        }
    }

    @Test("deleting a token also revokes the tokens rescoped from it")
    func revokeParentRevokesChildren() async throws {
        try await TestCloud.with { cloud, client in
            let parent = try await client.token(project: nil)
            let rescopedReply = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["token"], "token": ["id": parent]],
                    "scope": ["domain": ["id": "default"]],
                ] as [String: Any]
            ])
            let child = try #require(rescopedReply.header("X-Subject-Token"))
            let bystander = try await client.token()
            let deleted = try await client.request(.delete, "/identity/v3/auth/tokens", token: bystander, headers: ["X-Subject-Token": parent])
            #expect(deleted.status == 204)
            #expect(try await client.statusUsing(parent) == 401)
            #expect(try await client.statusUsing(child) == 401)
            #expect(try await client.statusUsing(bystander) == 200)
            // A revoked token cannot be rescoped any more.
            let again = try await client.authenticate(["auth": ["identity": ["methods": ["token"], "token": ["id": parent]]]])
            expectFault(again, 401)
        }
    }

    @Test("an expired token is refused: the clock moves 3601 s")
    func expiry() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            cloud.clock.advance(seconds: 3599)
            #expect(try await client.statusUsing(token) == 200)
            cloud.clock.advance(seconds: 2)
            let reply = try await client.request(.get, "/identity/v3/projects", token: token)
            expectFault(reply, 401)
            let fresh = try await client.token()
            let asSubject = try await client.request(.get, "/identity/v3/auth/tokens", token: fresh, headers: ["X-Subject-Token": token])
            expectFault(asSubject, 404)
            // Nor can it be rescoped.
            let rescope = try await client.authenticate(["auth": ["identity": ["methods": ["token"], "token": ["id": token]]]])
            expectFault(rescope, 401)
        }
    }

    @Test("GET /v3/auth/projects lists the projects the caller has a role on")
    func authProjects() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (_, demoId) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            _ = try await client.createProject("other", adminToken: admin)
            let alice = try await client.token(user: "alice", password: "alice-password", project: "demo")

            let reply = try await client.request(.get, "/identity/v3/auth/projects", token: alice)
            #expect(reply.status == 200)
            let projects = reply.list("projects")
            #expect(projects.map { $0["id"] as? String } == [demoId])
            #expect(projects.first?["name"] as? String == "demo")
            #expect((reply.value("links", "self") as? String)?.hasSuffix("/identity/v3/auth/projects") == true)

            let adminProjects = try await client.request(.get, "/identity/v3/auth/projects", token: admin).list("projects")
            #expect(adminProjects.map { $0["name"] as? String } == ["admin"])
        }
    }

    @Test("GET /v3/auth/domains lists the domains the caller has a role on")
    func authDomains() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let reply = try await client.request(.get, "/identity/v3/auth/domains", token: admin)
            #expect(reply.status == 200)
            #expect(reply.list("domains").map { $0["id"] as? String } == ["default"])
        }
    }

    @Test("GET /v3/auth/catalog: the catalog for a scoped token, 403 for an unscoped one")
    func authCatalog() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let reply = try await client.request(.get, "/identity/v3/auth/catalog", token: admin)
            #expect(reply.status == 200)
            let catalog = reply.list("catalog")
            let identity = try #require(catalog.first { $0["type"] as? String == "identity" })
            #expect(identity["name"] as? String == "keystone")
            #expect((identity["endpoints"] as? [Any])?.count == 3)
            #expect((reply.value("links", "self") as? String)?.hasSuffix("/identity/v3/auth/catalog") == true)

            let userId = try await client.createBareUser("loner", password: "loner-password", adminToken: admin)
            let projectId = try await client.createProject("p1", adminToken: admin)
            try await client.grant("member", user: userId, project: projectId, adminToken: admin)
            let unscoped = try await client.token(user: "loner", password: "loner-password", project: nil)
            let refused = try await client.request(.get, "/identity/v3/auth/catalog", token: unscoped)
            expectFault(refused, 403)
        }
    }

    @Test("a member may validate its own token but not an admin's")
    func memberValidation() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            _ = try await client.createUser("bob", password: "bob-password", project: "demo", adminToken: admin)
            let bob = try await client.token(user: "bob", password: "bob-password", project: "demo")

            let own = try await client.request(.get, "/identity/v3/auth/tokens", token: bob, headers: ["X-Subject-Token": bob])
            #expect(own.status == 200)
            #expect(own.value("token", "user", "name") as? String == "bob")
            let ownRoles = (own.value("token", "roles") as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(ownRoles == ["member"])

            let others = try await client.request(.get, "/identity/v3/auth/tokens", token: bob, headers: ["X-Subject-Token": admin])
            expectFault(others, 403, messageContains: "identity:validate_token")
            let head = try await client.request(.head, "/identity/v3/auth/tokens", token: bob, headers: ["X-Subject-Token": admin])
            #expect(head.status == 403)
            let delete = try await client.request(.delete, "/identity/v3/auth/tokens", token: bob, headers: ["X-Subject-Token": admin])
            expectFault(delete, 403)
            #expect(try await client.statusUsing(admin) == 200)
        }
    }

    @Test("the token body on validation matches the one on issue")
    func validationMatchesIssue() async throws {
        try await TestCloud.with { cloud, client in
            let issued = try await client.authenticate(Self.admin)
            let token = try #require(issued.header("X-Subject-Token"))
            let validated = try await client.request(.get, "/identity/v3/auth/tokens", token: token, headers: ["X-Subject-Token": token])
            let a = try #require(issued.object?["token"])
            let b = try #require(validated.object?["token"])
            let canonicalA = try JSONSerialization.data(withJSONObject: a, options: .sortedKeys)
            let canonicalB = try JSONSerialization.data(withJSONObject: b, options: .sortedKeys)
            #expect(canonicalA == canonicalB)
        }
    }

    @Test("a token carrying many long role names is still accepted by the service that issued it")
    func tokenWithManyRoles() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let projectId = try await client.createProject("crowded", adminToken: admin)
            let userId = try await client.createBareUser("collector", password: "collector-password", adminToken: admin)
            // Role names may have up to 255 characters; ten of 200 are valid input.
            for index in 0..<10 {
                let name = String(format: "role%02d-", index) + String(repeating: "r", count: 193)
                let role = try await client.request(.post, "/identity/v3/roles", token: admin, json: ["role": ["name": name]])
                #expect(role.status == 201)
                try await client.grant(name, user: userId, project: projectId, adminToken: admin)
            }
            let issued = try await client.authenticate(TestClient.passwordAuth(user: "collector", password: "collector-password", projectId: projectId))
            #expect(issued.status == 201)
            #expect((issued.value("token", "roles") as? [Any])?.count == 10)
            let token = try #require(issued.header("X-Subject-Token"))
            #expect(try await client.statusUsing(token) == 200, "issued a \(token.count)-character token that validation refuses")
        }
    }
}
