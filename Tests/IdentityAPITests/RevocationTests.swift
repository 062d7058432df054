import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// Changes that must make existing tokens stop working at once.
@Suite("Token revocation side effects")
struct RevocationTests {
    @Test("removing a member's role on a project revokes its tokens on that project, not elsewhere")
    func removingRoleRevokesProjectTokens() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (userId, demoId) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let otherId = try await client.createProject("other", adminToken: admin)
            try await client.grant("member", user: userId, project: otherId, adminToken: admin)
            let demoToken = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let otherToken = try await client.token(user: "alice", password: "alice-password", project: "other")
            #expect(try await client.statusUsing(demoToken) == 200)

            let memberId = try await client.id(of: "roles", named: "member", token: admin)
            let removed = try await client.request(.delete, "/identity/v3/projects/\(demoId)/users/\(userId)/roles/\(memberId)", token: admin)
            #expect(removed.status == 204)

            expectFault(try await client.request(.get, "/identity/v3/projects/\(demoId)", token: demoToken), 401)
            #expect(try await client.statusUsing(demoToken) == 401)
            #expect(try await client.statusUsing(otherToken) == 200)
            #expect(try await client.statusUsing(admin) == 200)
        }
    }

    @Test("disabling a user revokes its tokens")
    func disablingUserRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (userId, _) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let token = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let unscoped = try await client.token(user: "alice", password: "alice-password", project: nil)
            #expect(try await client.statusUsing(token) == 200)
            let disabled = try await client.request(.patch, "/identity/v3/users/\(userId)", token: admin, json: ["user": ["enabled": false]])
            #expect(disabled.status == 200)
            expectFault(try await client.request(.get, "/identity/v3/users/\(userId)", token: token), 401)
            #expect(try await client.statusUsing(unscoped) == 401)
            // Re-enabling does not resurrect old tokens.
            cloud.clock.advance(seconds: 1)
            _ = try await client.request(.patch, "/identity/v3/users/\(userId)", token: admin, json: ["user": ["enabled": true]])
            #expect(try await client.statusUsing(token) == 401)
        }
    }

    @Test("deleting a project revokes the tokens scoped to it")
    func deletingProjectRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (userId, demoId) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let token = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let adminUserId = try await client.id(of: "users", named: "admin", token: admin)
            try await client.grant("admin", user: adminUserId, project: demoId, adminToken: admin)
            let adminOnDemo = try await client.token(project: "demo")
            #expect(try await client.statusUsing(adminOnDemo) == 200)

            let deleted = try await client.request(.delete, "/identity/v3/projects/\(demoId)", token: admin)
            #expect(deleted.status == 204)
            #expect(try await client.statusUsing(token) == 401)
            #expect(try await client.statusUsing(adminOnDemo) == 401)
            #expect(try await client.statusUsing(admin) == 200)
            // Its grants are gone too.
            let assignments = try await client.request(.get, "/identity/v3/role_assignments?user.id=\(userId)", token: admin)
            #expect(assignments.list("role_assignments").isEmpty)
        }
    }

    @Test("disabling a project revokes the tokens scoped to it")
    func disablingProjectRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (_, demoId) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let token = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let disabled = try await client.request(.patch, "/identity/v3/projects/\(demoId)", token: admin, json: ["project": ["enabled": false]])
            #expect(disabled.status == 200)
            #expect(try await client.statusUsing(token) == 401)
            #expect(try await client.statusUsing(admin) == 200)
        }
    }

    @Test("deleting a role revokes the tokens of those who held it")
    func deletingRoleRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let role = try await client.request(.post, "/identity/v3/roles", token: admin, json: ["role": ["name": "operator"]])
            let roleId = try #require(role.value("role", "id") as? String)
            _ = try await client.createUser("alice", password: "alice-password", project: "demo", role: "operator", adminToken: admin)
            let token = try await client.token(user: "alice", password: "alice-password", project: "demo")
            #expect(try await client.statusUsing(token) == 200)
            #expect(try await client.request(.delete, "/identity/v3/roles/\(roleId)", token: admin).status == 204)
            #expect(try await client.statusUsing(token) == 401)
            #expect(try await client.statusUsing(admin) == 200)
        }
    }

    @Test("renaming a role revokes the tokens that carry its old name")
    func renamingRoleRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let role = try await client.request(.post, "/identity/v3/roles", token: admin, json: ["role": ["name": "operator"]])
            let roleId = try #require(role.value("role", "id") as? String)
            _ = try await client.createUser("alice", password: "alice-password", project: "demo", role: "operator", adminToken: admin)
            let token = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let renamed = try await client.request(.patch, "/identity/v3/roles/\(roleId)", token: admin, json: ["role": ["name": "admin2"]])
            #expect(renamed.status == 200)
            #expect(try await client.statusUsing(token) == 401)
        }
    }

    @Test("deleting a user revokes its tokens")
    func deletingUserRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (userId, _) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let token = try await client.token(user: "alice", password: "alice-password", project: "demo")
            #expect(try await client.request(.delete, "/identity/v3/users/\(userId)", token: admin).status == 204)
            #expect(try await client.statusUsing(token) == 401)
        }
    }

    @Test("disabling a domain revokes the tokens of its users")
    func disablingDomainRevokes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let domain = try await client.request(.post, "/identity/v3/domains", token: admin, json: ["domain": ["name": "acme"]])
            let domainId = try #require(domain.value("domain", "id") as? String)
            let user = try await client.request(
                .post, "/identity/v3/users", token: admin, json: ["user": ["name": "wile", "password": "wile-password", "domain_id": domainId]]
            )
            #expect(user.status == 201)
            let login = try await client.authenticate([
                "auth": ["identity": ["methods": ["password"], "password": ["user": ["name": "wile", "domain": ["id": domainId], "password": "wile-password"]]]]
            ])
            #expect(login.status == 201)
            let token = try #require(login.header("X-Subject-Token"))
            #expect(try await client.statusUsing(token) == 200)
            _ = try await client.request(.patch, "/identity/v3/domains/\(domainId)", token: admin, json: ["domain": ["enabled": false]])
            #expect(try await client.statusUsing(token) == 401)
            cloud.clock.advance(seconds: 1)
            let again = try await client.authenticate([
                "auth": ["identity": ["methods": ["password"], "password": ["user": ["name": "wile", "domain": ["id": domainId], "password": "wile-password"]]]]
            ])
            expectFault(again, 401)
        }
    }

    @Test("disabling a domain revokes tokens scoped to its projects and refuses new ones, whoever holds them")
    func disablingDomainRevokesItsProjects() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let domain = try await client.request(.post, "/identity/v3/domains", token: admin, json: ["domain": ["name": "acme"]])
            let domainId = try #require(domain.value("domain", "id") as? String)
            let project = try await client.request(
                .post, "/identity/v3/projects", token: admin, json: ["project": ["name": "rockets", "domain_id": domainId]]
            )
            let projectId = try #require(project.value("project", "id") as? String)
            // A user of domain Default with a role on the acme project.
            let userId = try await client.createBareUser("coyote", password: "coyote-password", adminToken: admin)
            try await client.grant("member", user: userId, project: projectId, adminToken: admin)
            let scope = TestClient.passwordAuth(user: "coyote", password: "coyote-password", projectId: projectId)
            let token = try #require(try await client.authenticate(scope).header("X-Subject-Token"))
            #expect(try await client.statusUsing(token) == 200)
            // The same user of domain Default also holds a role on the acme domain itself.
            let roles = try await client.request(.get, "/identity/v3/roles?name=member", token: admin)
            let memberRole = try #require((roles.value("roles") as? [[String: Any]])?.first?["id"] as? String)
            let grant = try await client.request(.put, "/identity/v3/domains/\(domainId)/users/\(userId)/roles/\(memberRole)", token: admin)
            #expect(grant.status == 204)
            let domainScope: [String: Any] = ["auth": [
                "identity": ["methods": ["password"], "password": ["user": ["name": "coyote", "domain": ["id": "default"], "password": "coyote-password"]]],
                "scope": ["domain": ["id": domainId]],
            ]]
            let domainToken = try #require(try await client.authenticate(domainScope).header("X-Subject-Token"))
            #expect(try await client.statusUsing(domainToken) == 200)

            let disabled = try await client.request(.patch, "/identity/v3/domains/\(domainId)", token: admin, json: ["domain": ["enabled": false]])
            #expect(disabled.status == 200)
            // Keystone: a project whose domain is disabled counts as disabled (assert_project_enabled), and
            // disabling a domain revokes the tokens scoped to it and its projects.
            #expect(try await client.statusUsing(token) == 401, "a token scoped to a project of a disabled domain still works")
            #expect(try await client.statusUsing(domainToken) == 401, "a token scoped to a disabled domain still works")
            cloud.clock.advance(seconds: 1)
            let again = try await client.authenticate(scope)
            #expect(again.status == 401, "a token was issued for a project of a disabled domain")
        }
    }
}
