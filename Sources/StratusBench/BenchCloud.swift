import Foundation
import HTTPSupport
import ServiceClients

/// The cloud under test as the benchmark talks to it: an admin token scoped to project admin, over the real HTTP API.
struct BenchCloud: Sendable {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The microversion of every compute request: 2.37 is the first that takes `"networks": "none"`.
    static let computeVersion = "compute 2.37"

    let url: String
    let password: String
    let token: String
    let projectId: String
    let client = ServiceHTTPClient()

    /// Gets a token for admin in project admin (both in domain Default).
    static func connect(url: String, password: String) async throws -> BenchCloud {
        let body: JSONValue = .object([
            "auth": .object([
                "identity": .object([
                    "methods": .array([.string("password")]),
                    "password": .object(["user": .object([
                        "name": .string("admin"), "domain": .object(["id": .string("default")]), "password": .string(password),
                    ])]),
                ]),
                "scope": .object(["project": .object(["name": .string("admin"), "domain": .object(["id": .string("default")])])]),
            ])
        ])
        let client = ServiceHTTPClient()
        let response = try await client.send(
            "POST", url + "/identity/v3/auth/tokens", headers: [("Content-Type", "application/json")], body: try Self.encode(body)
        )
        guard response.status == 201, let token = response.header("X-Subject-Token") else {
            throw Failure(description: "authentication failed: HTTP \(response.status) \(String(decoding: response.body, as: UTF8.self))")
        }
        struct Reply: Decodable {
            struct Token: Decodable {
                struct Project: Decodable { let id: String }
                let project: Project
            }
            let token: Token
        }
        let reply = try JSONDecoder().decode(Reply.self, from: Data(response.body))
        return BenchCloud(url: url, password: password, token: token, projectId: reply.token.project.id)
    }

    static func encode(_ value: JSONValue) throws -> [UInt8] { Array(try JSONEncoder().encode(value)) }

    /// One request with the token; throws unless the status is `expecting`. Returns the body and how long it took.
    @discardableResult
    func call(
        _ method: String, _ path: String, json: JSONValue? = nil, raw: [UInt8]? = nil, contentType: String = "application/json",
        expecting: Int
    ) async throws -> (body: [UInt8], elapsed: Duration) {
        var headers = [("X-Auth-Token", token), ("OpenStack-API-Version", Self.computeVersion), ("Accept", "application/json")]
        let body = try json.map(Self.encode) ?? raw
        if body != nil { headers.append(("Content-Type", contentType)) }
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.send(method, url + path, headers: headers, body: body)
        let elapsed = clock.now - start
        guard response.status == expecting else {
            throw Failure(description: "\(method) \(path): HTTP \(response.status), expected \(expecting): \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
        return (response.body, elapsed)
    }

    /// The id of the flavor called `name`.
    func flavorId(named name: String) async throws -> String {
        struct Reply: Decodable {
            struct Flavor: Decodable { let id: String; let name: String }
            let flavors: [Flavor]
        }
        let body = try await call("GET", "/compute/v2.1/flavors", expecting: 200).body
        guard let flavor = try JSONDecoder().decode(Reply.self, from: Data(body)).flavors.first(where: { $0.name == name }) else {
            throw Failure(description: "no flavor \(name)")
        }
        return flavor.id
    }

    /// Uploads a tiny raw image through Glance and returns its id.
    func uploadImage() async throws -> String {
        struct Reply: Decodable { let id: String }
        let created = try await call(
            "POST", "/image/v2/images",
            json: .object(["name": .string("stratus-bench"), "disk_format": .string("raw"), "container_format": .string("bare")]), expecting: 201
        ).body
        let id = try JSONDecoder().decode(Reply.self, from: Data(created)).id
        try await call("PUT", "/image/v2/images/\(id)/file", raw: Array(repeating: 0, count: 4096), contentType: "application/octet-stream", expecting: 204)
        return id
    }

    /// Logs admin in to the dashboard (`password` as given to `connect`); returns the session's cookie.
    func dashboardSession() async throws -> String {
        let form = "domain=Default&user=admin&password=" + (password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        let response = try await client.send(
            "POST", url + "/dashboard/auth/login", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Array(form.utf8)
        )
        guard response.status == 303, let cookie = response.header("Set-Cookie")?.split(separator: ";").first else {
            throw Failure(description: "dashboard login failed: HTTP \(response.status)")
        }
        return String(cookie)
    }

    /// How long a dashboard page took to load whole.
    func page(_ path: String, cookie: String) async throws -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await client.send("GET", url + path, headers: [("Cookie", cookie)])
        guard response.status == 200 else { throw Failure(description: "GET \(path): HTTP \(response.status)") }
        return clock.now - start
    }

    /// Lifts the project's instance, core and RAM quotas.
    func unlimitQuotas() async throws {
        let limits: JSONValue = .object(["quota_set": .object(["instances": .number(-1), "cores": .number(-1), "ram": .number(-1)])])
        try await call("PUT", "/compute/v2.1/os-quota-sets/\(projectId)", json: limits, expecting: 200)
    }
}
