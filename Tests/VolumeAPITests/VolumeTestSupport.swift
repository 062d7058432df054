import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// `/volume/v3` + `path` as `token`, at microversion `version` (nil: none asked, 3.0).
func cinder(
    _ client: TestClient, _ method: HTTPRequest.Method, _ path: String, _ token: String, _ json: Any? = nil, version: String? = "3.70"
) async throws -> TestClient.Reply {
    try await client.request(method, "/volume/v3" + path, token: token, json: json, headers: version.map { ["OpenStack-API-Version": "volume \($0)"] } ?? [:])
}

extension TestClient.Reply {
    var summary: String { "\(status) \(body.prefix(400))" }

    /// The string at `path`, e.g. `string("volume", "id")`.
    func string(_ path: String...) -> String? {
        var current: Any? = value()
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? String
    }

    func int(_ path: String...) -> Int? {
        var current: Any? = value()
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? Int
    }

    func list(_ key: String) -> [[String: Any]] { (value(key) as? [[String: Any]]) ?? [] }
}

/// Expects Cinder's fault body `{name: {"code": status, "message": ...}}` whose message contains `containing`.
func expectFault(
    _ reply: TestClient.Reply, _ status: Int, _ name: String, containing text: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "\(reply.summary)", sourceLocation: sourceLocation)
    #expect(reply.value(name, "code") as? Int == status, "\(reply.summary)", sourceLocation: sourceLocation)
    let message = reply.value(name, "message") as? String ?? ""
    #expect(!message.isEmpty && (text.isEmpty || message.contains(text)), "\(reply.summary)", sourceLocation: sourceLocation)
}

/// A project with a user of `role`; returns a token scoped to it.
func projectToken(_ client: TestClient, admin: String, user: String, project: String, role: String = "member") async throws -> String {
    _ = try await client.createUser(user, password: "pw-\(user)", project: project, role: role, adminToken: admin)
    return try await client.token(user: user, password: "pw-\(user)", project: project)
}

/// Polls the volume until its status is `status` (the worker runs in the background), with a deadline.
@discardableResult
func waitForVolume(_ client: TestClient, _ id: String, _ token: String, status: String) async throws -> TestClient.Reply {
    try await waitFor(client, "/volumes/\(id)", token, key: "volume", status: status)
}

@discardableResult
func waitForSnapshot(_ client: TestClient, _ id: String, _ token: String, status: String) async throws -> TestClient.Reply {
    try await waitFor(client, "/snapshots/\(id)", token, key: "snapshot", status: status)
}

/// Polls until the resource is gone (404), with a deadline.
func waitForGone(_ client: TestClient, _ path: String, _ token: String) async throws {
    let deadline = ContinuousClock.now + .seconds(20)
    while try await cinder(client, .get, path, token).status != 404 {
        guard ContinuousClock.now < deadline else { throw TestCloudError.unexpected("\(path) still exists") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

private func waitFor(_ client: TestClient, _ path: String, _ token: String, key: String, status: String) async throws -> TestClient.Reply {
    let deadline = ContinuousClock.now + .seconds(20)
    while true {
        let reply = try await cinder(client, .get, path, token)
        if reply.string(key, "status") == status { return reply }
        guard ContinuousClock.now < deadline else { throw TestCloudError.unexpected("\(path) did not become \(status): \(reply.summary)") }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Creates a volume and waits until it is available; returns its id.
func createVolume(_ client: TestClient, _ token: String, _ fields: [String: Any] = ["size": 1]) async throws -> String {
    let reply = try await cinder(client, .post, "/volumes", token, ["volume": fields])
    try #require(reply.status == 202, "\(reply.summary)")
    let id = try #require(reply.string("volume", "id"))
    try await waitForVolume(client, id, token, status: "available")
    return id
}
