import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// Bad input gets a 4xx with a Keystone fault body whose message names the field; never a 500.
@Suite("Bad input")
struct BadInputTests {
    @Test("malformed JSON is 400")
    func malformedJSON() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let auth = try await client.request(.post, "/identity/v3/auth/tokens", json: "{not json")
            expectFault(auth, 400)
            let project = try await client.request(.post, "/identity/v3/projects", token: admin, json: "{\"project\": {\"name\": \"x\"")
            expectFault(project, 400)
            #expect(try await client.request(.get, "/identity/v3/projects?name=x", token: admin).list("projects").isEmpty)
        }
    }

    @Test("JSON that is not an object is 400", arguments: ["[]", "5", "\"text\"", "null", "true"])
    func notAnObject(body: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            expectFault(try await client.request(.post, "/identity/v3/auth/tokens", json: body), 400)
            expectFault(try await client.request(.post, "/identity/v3/users", token: admin, json: body), 400)
        }
    }

    @Test("wrong types are 400 naming the field")
    func wrongTypes() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let user = try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": 5]])
            expectFault(user, 400, messageContains: "user.name")
            let methods = try await client.authenticate(["auth": ["identity": ["methods": "password"]]])
            expectFault(methods, 400, messageContains: "auth.identity.methods")
            let enabled = try await client.request(.post, "/identity/v3/projects", token: admin, json: ["project": ["name": "p", "enabled": "yes"]])
            expectFault(enabled, 400, messageContains: "project.enabled")
            let password = try await client.authenticate(
                ["auth": ["identity": ["methods": ["password"], "password": ["user": ["name": "admin", "domain": ["id": "default"], "password": 12345]]]]]
            )
            expectFault(password, 400, messageContains: "auth.identity.password.user.password")
            let scope = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["password"], "password": ["user": ["name": "admin", "domain": ["id": "default"], "password": "x"]]],
                    "scope": ["project": "admin"],
                ] as [String: Any]
            ])
            expectFault(scope, 400, messageContains: "auth.scope.project")
            let badScopeString = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["password"], "password": ["user": ["name": "admin", "domain": ["id": "default"], "password": "x"]]],
                    "scope": "everything",
                ] as [String: Any]
            ])
            expectFault(badScopeString, 400, messageContains: "auth.scope")
            let role = try await client.request(.post, "/identity/v3/roles", token: admin, json: ["role": ["name": ["a", "b"]]])
            expectFault(role, 400, messageContains: "role.name")
            let null = try await client.request(.post, "/identity/v3/domains", token: admin, json: ["domain": NSNull()])
            expectFault(null, 400, messageContains: "domain")
        }
    }

    @Test("missing fields are 400 naming them")
    func missingFields() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            expectFault(try await client.authenticate(["auth": [String: Any]()]), 400, messageContains: "identity")
            expectFault(try await client.authenticate([String: Any]()), 400, messageContains: "auth")
            expectFault(try await client.request(.post, "/identity/v3/projects", token: admin, json: ["project": [String: Any]()]), 400, messageContains: "name")
            expectFault(try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": [String: Any]()]), 400, messageContains: "name")
            expectFault(try await client.request(.post, "/identity/v3/roles", token: admin, json: ["role": [String: Any]()]), 400, messageContains: "name")
            expectFault(try await client.request(.post, "/identity/v3/domains", token: admin, json: ["domain": [String: Any]()]), 400, messageContains: "name")
            expectFault(try await client.request(.post, "/identity/v3/services", token: admin, json: ["service": [String: Any]()]), 400, messageContains: "type")
            expectFault(try await client.request(.post, "/identity/v3/endpoints", token: admin, json: ["endpoint": [String: Any]()]), 400, messageContains: "endpoint")
            expectFault(try await client.request(.post, "/identity/v3/projects", token: admin, json: ["name": "p"]), 400, messageContains: "project")
            // A password user named without a domain, and a user with neither id nor name.
            let noDomain = try await client.authenticate(["auth": ["identity": ["methods": ["password"], "password": ["user": ["name": "admin", "password": "x"]]]]])
            expectFault(noDomain, 400, messageContains: "domain")
            let anonymous = try await client.authenticate(["auth": ["identity": ["methods": ["password"], "password": ["user": ["password": "x"]]]]])
            expectFault(anonymous, 400, messageContains: "auth.identity.password.user")
            let projectWithoutDomain = try await client.authenticate([
                "auth": [
                    "identity": ["methods": ["password"], "password": ["user": ["name": "admin", "domain": ["id": "default"], "password": TestCloud.adminPassword]]],
                    "scope": ["project": ["name": "admin"]],
                ] as [String: Any]
            ])
            expectFault(projectWithoutDomain, 400, messageContains: "auth.scope.project")
            let adminId = try await client.id(of: "users", named: "admin", token: admin)
            let passwordChange = try await client.request(
                .post, "/identity/v3/users/\(adminId)/password", token: admin,
                json: ["user": ["password": "new"]]
            )
            expectFault(passwordChange, 400, messageContains: "original_password")
        }
    }

    @Test("an empty body is 400")
    func emptyBody() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            expectFault(try await client.request(.post, "/identity/v3/auth/tokens", json: ""), 400)
            expectFault(try await client.request(.post, "/identity/v3/auth/tokens"), 400)
            expectFault(try await client.request(.post, "/identity/v3/projects", token: admin, json: ""), 400)
            expectFault(try await client.request(.patch, "/identity/v3/projects/whatever", token: admin), 400)
        }
    }

    @Test("a 10 MB body is 413")
    func hugeBody() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let padding = String(repeating: "a", count: 10 * 1024 * 1024)
            let body = "{\"auth\": {\"identity\": {\"methods\": [\"password\"]}}, \"padding\": \"\(padding)\"}"
            let auth = try await client.request(.post, "/identity/v3/auth/tokens", json: body)
            expectFault(auth, 413)
            let project = try await client.request(.post, "/identity/v3/projects", token: admin, json: "{\"project\": {\"name\": \"\(padding)\"}}")
            expectFault(project, 413)
        }
    }

    @Test("a body just over the 112 KiB limit is 413, one under it is read")
    func bodyLimitBoundary() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let over = "{\"project\": {\"name\": \"p\", \"description\": \"\(String(repeating: "d", count: 112 * 1024))\"}}"
            expectFault(try await client.request(.post, "/identity/v3/projects", token: admin, json: over), 413)
            let under = "{\"project\": {\"name\": \"p\", \"description\": \"\(String(repeating: "d", count: 60 * 1024))\"}}"
            #expect(try await client.request(.post, "/identity/v3/projects", token: admin, json: under).status == 201)
        }
    }

    @Test("a name of 10,000 characters is 400", arguments: ["projects", "users", "roles", "domains"])
    func longName(collection: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let key = String(collection.dropLast())
            let name = String(repeating: "n", count: 10_000)
            let reply = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": name]])
            expectFault(reply, 400, messageContains: "\(key).name")
            #expect(reply.body.count < 2000, "the fault echoes the whole name back")
            // Nothing was stored.
            let listed = try await client.request(.get, "/identity/v3/\(collection)?name=\(name)", token: admin)
            #expect(listed.list(collection).isEmpty)
        }
    }

    @Test("a name of 10,000 characters is 400 on update too", arguments: ["projects", "users", "roles", "domains"])
    func longNameOnUpdate(collection: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let key = String(collection.dropLast())
            let created = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": "short"]])
            let id = try #require(created.value(key, "id") as? String)
            let reply = try await client.request(.patch, "/identity/v3/\(collection)/\(id)", token: admin, json: [key: ["name": String(repeating: "n", count: 10_000)]])
            expectFault(reply, 400, messageContains: "\(key).name")
            #expect(try await client.request(.get, "/identity/v3/\(collection)/\(id)", token: admin).value(key, "name") as? String == "short")
        }
    }

    @Test("blank names are 400", arguments: ["projects", "users", "roles", "domains"])
    func blankName(collection: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let key = String(collection.dropLast())
            for name in ["", "   ", "\t"] {
                expectFault(try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": name]]), 400, messageContains: "\(key).name")
            }
        }
    }

    @Test("names made only of line breaks are 400 (Keystone's name pattern needs a non-space character)", arguments: ["projects", "users", "roles", "domains"])
    func lineBreakName(collection: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let key = String(collection.dropLast())
            for name in ["\n", " \r\n "] {
                let reply = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": name]])
                #expect(reply.status == 400, "\(key) named \(name.debugDescription) was accepted: \(reply.status)")
            }
        }
    }

    @Test("duplicate names are 409", arguments: ["projects", "users", "roles", "domains"])
    func duplicateName(collection: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let key = String(collection.dropLast())
            let first = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": "twin"]])
            #expect(first.status == 201)
            let second = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": "twin"]])
            expectFault(second, 409)
            let listed = try await client.request(.get, "/identity/v3/\(collection)?name=twin", token: admin)
            #expect(listed.list(collection).count == 1)
        }
    }

    @Test("renaming onto an existing name is 409", arguments: ["projects", "users", "roles", "domains"])
    func duplicateNameOnUpdate(collection: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let key = String(collection.dropLast())
            _ = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": "one"]])
            let second = try await client.request(.post, "/identity/v3/\(collection)", token: admin, json: [key: ["name": "two"]])
            let id = try #require(second.value(key, "id") as? String)
            expectFault(try await client.request(.patch, "/identity/v3/\(collection)/\(id)", token: admin, json: [key: ["name": "one"]]), 409)
            #expect(try await client.request(.get, "/identity/v3/\(collection)/\(id)", token: admin).value(key, "name") as? String == "two")
        }
    }

    @Test("the same user name in two domains is fine")
    func sameUserNameInOtherDomain() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let domain = try await client.request(.post, "/identity/v3/domains", token: admin, json: ["domain": ["name": "acme"]])
            let domainId = try #require(domain.value("domain", "id") as? String)
            #expect(try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": "admin", "domain_id": domainId]]).status == 201)
            #expect(try await client.request(.post, "/identity/v3/projects", token: admin, json: ["project": ["name": "admin", "domain_id": domainId]]).status == 201)
        }
    }

    @Test("an unknown route is a 404 Keystone fault")
    func unknownRoute() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            for path in ["/identity/v3/nothing-here", "/identity/v2.0/tokens", "/identity/v3/users/x/y/z"] {
                let reply = try await client.request(.get, path, token: admin)
                expectFault(reply, 404)
                #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test("a wrong method is 405", arguments: ["/identity/v3/auth/tokens", "/identity/v3/users", "/identity/v3"])
    func wrongMethod(path: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let reply = try await client.request(.put, path, token: admin, json: ["x": 1])
            expectFault(reply, 405)
        }
    }

    @Test("PUT /identity/v3/auth/tokens without a token is 405 too")
    func wrongMethodUnauthenticated() async throws {
        try await TestCloud.with { cloud, client in
            expectFault(try await client.request(.put, "/identity/v3/auth/tokens"), 405)
        }
    }

    @Test("an invalid X-Auth-Token is 401", arguments: ["garbage", "", "AAAA", String(repeating: "A", count: 5000), "not/base64+url==", "ü🙂"])
    func invalidToken(token: String) async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.request(.get, "/identity/v3/users", token: token)
            expectFault(reply, 401)
        }
    }

    @Test("an invalid X-Subject-Token is 404, not 500", arguments: ["garbage", "AAAA", String(repeating: "A", count: 5000)])
    func invalidSubjectToken(token: String) async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let reply = try await client.request(.get, "/identity/v3/auth/tokens", token: admin, headers: ["X-Subject-Token": token])
            expectFault(reply, 404)
            #expect(reply.body.count < 1000)
        }
    }

    @Test("a password of 5000 bytes is 400 on create, update and self-service change")
    func longPassword() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let long = String(repeating: "p", count: 5000)
            let create = try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": "longpw", "password": long]])
            expectFault(create, 400, messageContains: "user.password")
            #expect(try await client.request(.get, "/identity/v3/users?name=longpw", token: admin).list("users").isEmpty)

            let (id, _) = try await client.createUser("alice", password: "alice-password", project: "demo", adminToken: admin)
            let update = try await client.request(.patch, "/identity/v3/users/\(id)", token: admin, json: ["user": ["password": long]])
            expectFault(update, 400, messageContains: "user.password")
            let empty = try await client.request(.patch, "/identity/v3/users/\(id)", token: admin, json: ["user": ["password": ""]])
            expectFault(empty, 400, messageContains: "user.password")

            let alice = try await client.token(user: "alice", password: "alice-password", project: "demo")
            let change = try await client.request(
                .post, "/identity/v3/users/\(id)/password", token: alice, json: ["user": ["original_password": "alice-password", "password": long]]
            )
            expectFault(change, 400, messageContains: "user.password")
            #expect(try await client.statusUsing(alice) == 200)
            // 4096 bytes is still allowed, counted in bytes: 1366 three-byte characters are too many.
            let multibyte = String(repeating: "€", count: 1366)
            let tooManyBytes = try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": "euro", "password": multibyte]])
            expectFault(tooManyBytes, 400, messageContains: "user.password")
            let maximum = try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": "max", "password": String(repeating: "p", count: 4096)]])
            #expect(maximum.status == 201)
        }
    }

    @Test("a 5000-byte password at login is refused without a 500")
    func longPasswordAtLogin() async throws {
        try await TestCloud.with { cloud, client in
            let reply = try await client.authenticate(TestClient.passwordAuth(user: "admin", password: String(repeating: "p", count: 5000), project: "admin"))
            #expect(reply.status == 400 || reply.status == 401)
            #expect(reply.faultCode == reply.status)
        }
    }

    @Test("deeply nested JSON is a 400, not a crash")
    func deeplyNested() async throws {
        try await TestCloud.with { cloud, client in
            let depth = 50_000
            let body = "{\"auth\": " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            let reply = try await client.request(.post, "/identity/v3/auth/tokens", json: body)
            expectFault(reply, 400)
        }
    }

    @Test("bad values in otherwise valid bodies are 400 naming the field")
    func badValues() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let longDescription = String(repeating: "d", count: 70_000)
            let project = try await client.request(.post, "/identity/v3/projects", token: admin, json: ["project": ["name": "p", "description": longDescription]])
            expectFault(project, 400, messageContains: "project.description")
            let email = try await client.request(.post, "/identity/v3/users", token: admin, json: ["user": ["name": "u", "email": String(repeating: "e", count: 300)]])
            expectFault(email, 400, messageContains: "user.email")
            let serviceType = try await client.request(.post, "/identity/v3/services", token: admin, json: ["service": ["type": String(repeating: "t", count: 10_000)]])
            expectFault(serviceType, 400, messageContains: "service.type")
        }
    }
}
