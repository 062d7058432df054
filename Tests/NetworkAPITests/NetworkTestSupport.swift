import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// `/networking/v2.0` + `path` as `token`.
func neutron(_ client: TestClient, _ method: HTTPRequest.Method, _ path: String, _ token: String, _ json: Any? = nil) async throws -> TestClient.Reply {
    try await client.request(method, "/networking/v2.0" + path, token: token, json: json)
}

extension TestClient.Reply {
    /// Neutron's error `type`, e.g. `NetworkNotFound`.
    var neutronType: String? { value("NeutronError", "type") as? String }

    var summary: String { "\(status) \(body.prefix(400))" }

    /// The string at `path`, e.g. `string("network", "id")`.
    func string(_ path: String...) -> String? {
        var current: Any? = value()
        for key in path { current = (current as? [String: Any])?[key] }
        return current as? String
    }

    func list(_ key: String) -> [[String: Any]] { (value(key) as? [[String: Any]]) ?? [] }
}

/// Expects a Neutron fault: `status`, the body `{"NeutronError": {"type": type, "message": ..., "detail": ""}}`.
func expectNeutronError(
    _ reply: TestClient.Reply, _ status: Int, _ type: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "\(reply.summary)", sourceLocation: sourceLocation)
    #expect(reply.neutronType == type, "\(reply.summary)", sourceLocation: sourceLocation)
    #expect(!((reply.value("NeutronError", "message") as? String) ?? "").isEmpty, "\(reply.summary)", sourceLocation: sourceLocation)
    #expect(reply.value("NeutronError", "detail") as? String == "", "\(reply.summary)", sourceLocation: sourceLocation)
}

/// Creates a network as `token`; returns its id.
func createNetwork(_ client: TestClient, _ token: String, name: String = "net", extra: [String: Any] = [:]) async throws -> String {
    let reply = try await neutron(client, .post, "/networks", token, ["network": ["name": name].merging(extra) { $1 }])
    try #require(reply.status == 201, "\(reply.summary)")
    return try #require(reply.string("network", "id"))
}

/// Creates a subnet on `network`; returns its id.
func createSubnet(
    _ client: TestClient, _ token: String, network: String, cidr: String, version: Int = 4, extra: [String: Any] = [:]
) async throws -> String {
    let body: [String: Any] = ["network_id": network, "cidr": cidr, "ip_version": version]
    let reply = try await neutron(client, .post, "/subnets", token, ["subnet": body.merging(extra) { $1 }])
    try #require(reply.status == 201, "\(reply.summary)")
    return try #require(reply.string("subnet", "id"))
}

/// The addresses of a port reply's `fixed_ips`.
func addresses(_ reply: TestClient.Reply) -> [String] {
    ((reply.value("port", "fixed_ips") as? [[String: Any]]) ?? []).compactMap { $0["ip_address"] as? String }
}

/// A project with a member user; returns a token scoped to it.
func memberToken(_ client: TestClient, admin: String, user: String, project: String, role: String = "member") async throws -> String {
    _ = try await client.createUser(user, password: "pw-\(user)", project: project, role: role, adminToken: admin)
    return try await client.token(user: user, password: "pw-\(user)", project: project)
}
