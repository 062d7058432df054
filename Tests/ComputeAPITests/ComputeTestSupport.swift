import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// `/compute/v2.1` + `path` as `token`, at microversion `version`.
func nova(
    _ client: TestClient, _ method: HTTPRequest.Method, _ path: String, _ token: String, _ json: Any? = nil, version: String = "2.96"
) async throws -> TestClient.Reply {
    try await client.request(method, "/compute/v2.1" + path, token: token, json: json, headers: ["OpenStack-API-Version": "compute \(version)"])
}

extension TestClient.Reply {
    var summary: String { "\(status) \(body.prefix(500))" }

    func string(_ path: String...) -> String? {
        var current: Any? = value()
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? String
    }

    func list(_ key: String) -> [[String: Any]] { (value(key) as? [[String: Any]]) ?? [] }

    /// Nova's fault name and message, e.g. `("itemNotFound", "...")`.
    var novaFault: (name: String, message: String)? {
        guard let object = value() as? [String: Any], object.count == 1, let (name, body) = object.first,
            let fields = body as? [String: Any], let message = fields["message"] as? String
        else { return nil }
        return (name, message)
    }
}

/// Expects Nova's fault body for `status` (`badRequest`, `itemNotFound`, ...), with `fragment` in the message when given.
func expectNovaFault(_ reply: TestClient.Reply, _ status: Int, _ fragment: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    let names = [400: "badRequest", 403: "forbidden", 404: "itemNotFound", 406: "notAcceptable", 409: "conflictingRequest"]
    #expect(reply.status == status, "\(reply.summary)", sourceLocation: sourceLocation)
    #expect(reply.novaFault?.name == names[status], "\(reply.summary)", sourceLocation: sourceLocation)
    if let fragment { #expect(reply.novaFault?.message.contains(fragment) == true, "\(reply.summary)", sourceLocation: sourceLocation) }
}

/// Uploads a small active image as `token`; returns its id.
func uploadImage(_ client: TestClient, _ token: String, name: String = "tiny") async throws -> String {
    let created = try await client.request(.post, "/image/v2/images", token: token, json: ["name": name, "disk_format": "raw", "container_format": "bare"])
    let id = try #require(created.string("id"), "\(created.summary)")
    let upload = try await client.request(.put, "/image/v2/images/\(id)/file", token: token, json: String(repeating: "x", count: 4096),
                                          headers: ["Content-Type": "application/octet-stream"])
    try #require(upload.status == 204, "\(upload.summary)")
    return id
}

/// Boots a server and returns its id (it is then building).
func boot(
    _ client: TestClient, _ token: String, image: String, name: String = "vm", flavor: String = "1", networks: Any = "auto",
    extra: [String: Any] = [:], hints: [String: Any]? = nil
) async throws -> String {
    let body: [String: Any] = ["name": name, "imageRef": image, "flavorRef": flavor, "networks": networks]
    var request: [String: Any] = ["server": body.merging(extra) { $1 }]
    if let hints { request["os:scheduler_hints"] = hints }
    let reply = try await nova(client, .post, "/servers", token, request)
    try #require(reply.status == 202, "\(reply.summary)")
    return try #require(reply.string("server", "id"))
}

/// Polls the server until its status is `status` (or ERROR, which fails unless wanted), with a deadline.
@discardableResult
func waitForStatus(_ client: TestClient, _ token: String, _ id: String, _ status: String, seconds: Double = 20) async throws -> TestClient.Reply {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while true {
        let reply = try await nova(client, .get, "/servers/\(id)", token)
        let current = reply.string("server", "status")
        if current == status { return reply }
        if current == "ERROR" || reply.status == 404 {
            Issue.record("server \(id) is \(current ?? "gone") while waiting for \(status): \(reply.summary)")
            return reply
        }
        guard ContinuousClock.now < deadline else {
            Issue.record("server \(id) still \(current ?? "?") after \(seconds) s waiting for \(status)")
            return reply
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Polls until the server is gone (404), with a deadline.
func waitUntilGone(_ client: TestClient, _ token: String, _ id: String, seconds: Double = 20) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    while try await nova(client, .get, "/servers/\(id)", token).status != 404 {
        guard ContinuousClock.now < deadline else {
            Issue.record("server \(id) still there after \(seconds) s")
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A project with a user holding `role`; returns a token scoped to it.
func memberToken(_ client: TestClient, admin: String, user: String, project: String, role: String = "member") async throws -> String {
    _ = try await client.createUser(user, password: "pw-\(user)", project: project, role: role, adminToken: admin)
    return try await client.token(user: user, password: "pw-\(user)", project: project)
}
