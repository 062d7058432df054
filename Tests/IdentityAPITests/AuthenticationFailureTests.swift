import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Authentication failures")
struct AuthenticationFailureTests {
    @Test("unknown user and wrong password are both 401 with byte-identical bodies")
    func unknownUserAndWrongPasswordAlike() async throws {
        try await TestCloud.with { cloud, client in
            let unknown = try await client.authenticate(TestClient.passwordAuth(user: "nobody", password: "whatever", project: "admin"))
            let wrong = try await client.authenticate(TestClient.passwordAuth(user: "admin", password: "not-the-password", project: "admin"))
            expectFault(unknown, 401)
            expectFault(wrong, 401)
            #expect(unknown.body == wrong.body)
            #expect(unknown.header("X-Subject-Token") == nil)
            #expect(wrong.header("X-Subject-Token") == nil)
            // Nor does an unknown user domain or an unknown user id tell anything apart.
            let unknownDomain = try await client.authenticate([
                "auth": ["identity": ["methods": ["password"], "password": ["user": ["name": "admin", "domain": ["name": "Nowhere"], "password": "x"]]]]
            ])
            let unknownId = try await client.authenticate([
                "auth": ["identity": ["methods": ["password"], "password": ["user": ["id": "0123456789abcdef0123456789abcdef", "password": "x"]]]]
            ])
            #expect(unknownDomain.status == 401)
            #expect(unknownDomain.body == wrong.body)
            #expect(unknownId.status == 401)
            #expect(unknownId.body == wrong.body)
        }
    }

    @Test("a disabled user cannot authenticate, with the same body as a wrong password")
    func disabledUser() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let (userId, _) = try await client.createUser("carol", password: "carol-password", project: "demo", adminToken: admin)
            let disable = try await client.request(.patch, "/identity/v3/users/\(userId)", token: admin, json: ["user": ["enabled": false]])
            #expect(disable.status == 200)
            #expect(disable.value("user", "enabled") as? Bool == false)
            let reply = try await client.authenticate(TestClient.passwordAuth(user: "carol", password: "carol-password", project: "demo"))
            expectFault(reply, 401)
            let wrong = try await client.authenticate(TestClient.passwordAuth(user: "carol", password: "wrong", project: "demo"))
            #expect(reply.body == wrong.body)
        }
    }

    @Test("a user created disabled cannot authenticate")
    func createdDisabled() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            _ = try await client.createBareUser("dora", password: "dora-password", adminToken: admin, extra: ["enabled": false])
            let reply = try await client.authenticate(TestClient.passwordAuth(user: "dora", password: "dora-password", project: nil))
            expectFault(reply, 401)
        }
    }

    @Test("a user without a role on the requested project is 401")
    func noRoleOnProject() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            _ = try await client.createUser("erin", password: "erin-password", project: "demo", adminToken: admin)
            let reply = try await client.authenticate(TestClient.passwordAuth(user: "erin", password: "erin-password", project: "admin"))
            expectFault(reply, 401)
            #expect(reply.header("X-Subject-Token") == nil)
            // Its own project works.
            let own = try await client.authenticate(TestClient.passwordAuth(user: "erin", password: "erin-password", project: "demo"))
            #expect(own.status == 201)
        }
    }

    @Test("a project that does not exist or is disabled cannot be scoped to")
    func missingOrDisabledProject() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let missing = try await client.authenticate(TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: "ghost"))
            expectFault(missing, 401)

            let (_, projectId) = try await client.createUser("fay", password: "fay-password", project: "demo", adminToken: admin)
            let disable = try await client.request(.patch, "/identity/v3/projects/\(projectId)", token: admin, json: ["project": ["enabled": false]])
            #expect(disable.status == 200)
            let refused = try await client.authenticate(TestClient.passwordAuth(user: "fay", password: "fay-password", project: "demo"))
            expectFault(refused, 401)
        }
    }

    @Test("an unsupported auth method is 401, an empty method list 400")
    func unsupportedMethod() async throws {
        try await TestCloud.with { cloud, client in
            let totp = try await client.authenticate(["auth": ["identity": ["methods": ["totp"]]]])
            expectFault(totp, 401)
            let none = try await client.authenticate(["auth": ["identity": ["methods": [String]()]]])
            expectFault(none, 400, messageContains: "auth.identity.methods")
            let passwordMissing = try await client.authenticate(["auth": ["identity": ["methods": ["password"]]]])
            expectFault(passwordMissing, 400, messageContains: "password")
        }
    }

    @Test("system scope is refused with 401")
    func systemScope() async throws {
        try await TestCloud.with { cloud, client in
            var body = TestClient.passwordAuth(user: "admin", password: TestCloud.adminPassword, project: nil)
            var auth = try #require(body["auth"] as? [String: Any])
            auth["scope"] = ["system": ["all": true]]
            body["auth"] = auth
            let reply = try await client.authenticate(body)
            expectFault(reply, 401)
        }
    }
}
