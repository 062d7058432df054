import Database
import Foundation
import HTTPTypes
@testable import StratusTesting
import Testing

/// Small helpers shared by the identity functional tests.
extension TestClient.Reply {
    /// `error.code`, `error.message`, `error.title` of a Keystone fault body.
    var faultCode: Int? { value("error", "code") as? Int }
    var faultMessage: String? { value("error", "message") as? String }
    var faultTitle: String? { value("error", "title") as? String }

    /// The body as a JSON object, or nil when it is not one.
    var object: [String: Any]? {
        guard let data = body.data(using: .utf8) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    func list(_ key: String) -> [[String: Any]] {
        (value(key) as? [[String: Any]]) ?? []
    }
}

/// Expects a Keystone fault: the status, `error.code` equal to it, a non-empty message and title.
func expectFault(
    _ reply: TestClient.Reply, _ status: Int, messageContains fragment: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "status \(reply.status), body \(reply.body.prefix(300))", sourceLocation: sourceLocation)
    #expect(reply.faultCode == status, "fault body \(reply.body.prefix(300))", sourceLocation: sourceLocation)
    #expect(!(reply.faultMessage ?? "").isEmpty, "fault message missing in \(reply.body.prefix(300))", sourceLocation: sourceLocation)
    #expect(!(reply.faultTitle ?? "").isEmpty, "fault title missing in \(reply.body.prefix(300))", sourceLocation: sourceLocation)
    if let fragment {
        #expect(
            (reply.faultMessage ?? "").contains(fragment), "message \(reply.faultMessage ?? "nil") lacks \(fragment)",
            sourceLocation: sourceLocation
        )
    }
}

extension TestClient {
    /// `POST /identity/v3/auth/tokens` with `body`.
    func authenticate(_ body: [String: Any], query: String = "") async throws -> Reply {
        try await request(.post, "/identity/v3/auth/tokens" + query, json: body)
    }

    /// The id of the one object of a collection named `name` (`kind` is the plural: projects, roles, ...).
    func id(of kind: String, named name: String, token: String) async throws -> String {
        let reply = try await request(.get, "/identity/v3/\(kind)?name=\(name)", token: token)
        let id = reply.list(kind).first?["id"] as? String
        return try #require(id, "no \(kind) named \(name): \(reply.status) \(reply.body)")
    }

    /// Creates a user (no default project) and returns its id; fails the test unless 201.
    func createBareUser(_ name: String, password: String, adminToken: String, extra: [String: Any] = [:]) async throws -> String {
        var user: [String: Any] = ["name": name, "password": password]
        user.merge(extra) { $1 }
        let reply = try await request(.post, "/identity/v3/users", token: adminToken, json: ["user": user])
        #expect(reply.status == 201, "create user: \(reply.status) \(reply.body)")
        return try #require(reply.value("user", "id") as? String)
    }

    /// Creates a project and returns its id; fails the test unless 201.
    func createProject(_ name: String, adminToken: String) async throws -> String {
        let reply = try await request(.post, "/identity/v3/projects", token: adminToken, json: ["project": ["name": name]])
        #expect(reply.status == 201, "create project: \(reply.status) \(reply.body)")
        return try #require(reply.value("project", "id") as? String)
    }

    /// `PUT /v3/projects/{p}/users/{u}/roles/{r}` by role name; fails the test unless 204.
    func grant(_ role: String, user: String, project: String, adminToken: String) async throws {
        let roleId = try await id(of: "roles", named: role, token: adminToken)
        let reply = try await request(.put, "/identity/v3/projects/\(project)/users/\(user)/roles/\(roleId)", token: adminToken)
        #expect(reply.status == 204, "grant: \(reply.status) \(reply.body)")
    }

    /// A token scoped to a project by id.
    static func passwordAuth(user: String, password: String, projectId: String) -> [String: Any] {
        [
            "auth": [
                "identity": [
                    "methods": ["password"],
                    "password": ["user": ["name": user, "domain": ["id": "default"], "password": password]],
                ],
                "scope": ["project": ["id": projectId]],
            ] as [String: Any]
        ]
    }

    /// Whether `token` is accepted as `X-Auth-Token` (200 from `GET /v3/auth/tokens` on itself), else the status.
    func statusUsing(_ token: String) async throws -> Int {
        try await request(.get, "/identity/v3/auth/tokens", token: token, headers: ["X-Subject-Token": token]).status
    }
}
