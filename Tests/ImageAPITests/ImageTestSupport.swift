import Crypto
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
@testable import StratusTesting
import ServiceClients
import Testing

/// One response of the image service, its body kept as bytes (image data is binary).
struct GlanceReply: Sendable {
    let status: Int
    let headers: HTTPFields
    let bytes: [UInt8]

    var body: String { String(decoding: bytes, as: UTF8.self) }

    /// The body as JSON, or nil when it is not JSON.
    var json: Any? { bytes.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(bytes)) }

    var object: [String: Any]? { json as? [String: Any] }

    /// A value at a path of object keys, e.g. `value("versions")`.
    func value(_ path: String...) -> Any? {
        guard var current = json else { return nil }
        for key in path {
            guard let object = current as? [String: Any], let next = object[key] else { return nil }
            current = next
        }
        return current
    }

    func list(_ key: String) -> [[String: Any]] { (value(key) as? [[String: Any]]) ?? [] }

    func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }

    /// For failure messages.
    var summary: String { "\(status) \(body.prefix(400))" }

    /// Glance's fault fields: `{"code": "404 Not Found", "title": "Not Found", "message": "..."}`.
    var faultCode: String? { value("code") as? String }
    var faultTitle: String? { value("title") as? String }
    var faultMessage: String? { value("message") as? String }
}

/// Expects a Glance fault body for `reply`, whatever its status: `code` "<status> <title>", a title, a message.
func expectGlanceFaultShape(_ reply: GlanceReply, sourceLocation: SourceLocation = #_sourceLocation) {
    let title = reply.faultTitle ?? ""
    #expect(!title.isEmpty, "fault title missing: \(reply.summary)", sourceLocation: sourceLocation)
    #expect(reply.faultCode == "\(reply.status) \(title)", "fault code mismatch: \(reply.summary)", sourceLocation: sourceLocation)
    #expect(!(reply.faultMessage ?? "").isEmpty, "fault message missing: \(reply.summary)", sourceLocation: sourceLocation)
    #expect(reply.header("Content-Type")?.hasPrefix("application/json") == true, "fault not JSON: \(reply.summary)",
            sourceLocation: sourceLocation)
}

/// Expects a Glance fault with `status` (and `title` / a message fragment when given).
func expectFault(
    _ reply: GlanceReply, _ status: Int, title: String? = nil, messageContains fragment: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(reply.status == status, "expected \(status), got \(reply.summary)", sourceLocation: sourceLocation)
    expectGlanceFaultShape(reply, sourceLocation: sourceLocation)
    if let title {
        #expect(reply.faultTitle == title, "title: \(reply.summary)", sourceLocation: sourceLocation)
        #expect(reply.faultCode == "\(status) \(title)", "code: \(reply.summary)", sourceLocation: sourceLocation)
    }
    if let fragment {
        #expect((reply.faultMessage ?? "").contains(fragment), "message lacks '\(fragment)': \(reply.summary)", sourceLocation: sourceLocation)
    }
}

/// The tokens and projects the image tests use: admin (project admin), alice (member of alpha), demo (member of demo).
struct ImageActors: Sendable {
    let admin: String
    let adminProject: String
    let alice: String
    let aliceProject: String
    let demo: String
    let demoProject: String
}

/// The JSON-patch media type Glance wants for PATCH.
let jsonPatchType = "application/openstack-images-v2.1-json-patch"

/// `count` deterministic, non-repeating-looking bytes.
func payload(_ count: Int, seed: UInt32 = 7) -> [UInt8] {
    var state = seed
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return UInt8(truncatingIfNeeded: state >> 24)
    }
}

func hex(_ digest: some Sequence<UInt8>) -> String { digest.map { String(format: "%02x", $0) }.joined() }
func md5Hex(_ bytes: [UInt8]) -> String { hex(Insecure.MD5.hash(data: bytes)) }
func sha512Hex(_ bytes: [UInt8]) -> String { hex(SHA512.hash(data: bytes)) }

/// Whether the store holds data for `id` (it keeps one file per image, named after its id).
func storeHasData(_ cloud: TestCloud, _ id: String) -> Bool {
    FileManager.default.fileExists(atPath: cloud.imageDirectory + "/" + id)
}

/// Files left in the store's incoming directory (partial uploads).
func incomingLeftovers(_ cloud: TestCloud) -> [String] {
    (try? FileManager.default.contentsOfDirectory(atPath: cloud.imageDirectory + "/.incoming")) ?? []
}

extension StratusTesting.TestClient {
    /// Sends a request to the image service. `path` is under `/image/v2` unless it is `/image` or starts with `/image/`.
    /// `json` (serialized; a String is sent as is) or `raw` bytes is the body; `contentType` overrides the body's type.
    ///
    /// Every answer is checked: never a 5xx, and every 4xx has the Glance fault shape.
    func glance(
        _ method: HTTPRequest.Method, _ path: String, token: String?, json: Any? = nil, raw: [UInt8]? = nil,
        contentType: String? = nil, headers: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> GlanceReply {
        let uri = (path == "/image" || path.hasPrefix("/image/")) ? path : "/image/v2" + path
        var fields = HTTPFields()
        if let token { fields[.authToken] = token }
        var body: ByteBuffer?
        if let json {
            let data = try (json as? String).map { Data($0.utf8) } ?? JSONSerialization.data(withJSONObject: json)
            body = ByteBuffer(bytes: data)
            fields[.contentType] = contentType ?? "application/json"
        } else if let raw {
            body = ByteBuffer(bytes: raw)
            fields[.contentType] = contentType ?? "application/octet-stream"
        } else if let contentType {
            fields[.contentType] = contentType
        }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let reply = try await client.execute(uri: uri, method: method, headers: fields, body: body) { response in
            GlanceReply(status: Int(response.status.code), headers: response.headers, bytes: Array(response.body.readableBytesView))
        }
        #expect(reply.status < 500, "\(method) \(uri) answered \(reply.summary)", sourceLocation: sourceLocation)
        if reply.status >= 400 { expectGlanceFaultShape(reply, sourceLocation: sourceLocation) }
        return reply
    }

    /// Admin, alice (member of project alpha) and demo (member of project demo), each with a project-scoped token.
    func imageActors() async throws -> ImageActors {
        let admin = try await token()
        let projects = try await request(.get, "/identity/v3/projects?name=admin", token: admin)
        let adminProject = try #require((projects.value("projects") as? [[String: Any]])?.first?["id"] as? String)
        let alice = try await createUser("alice", password: "alice-password", project: "alpha", adminToken: admin)
        let demo = try await createUser("demo", password: "demo-password", project: "demo", adminToken: admin)
        return ImageActors(
            admin: admin, adminProject: adminProject,
            alice: try await token(user: "alice", password: "alice-password", project: "alpha"), aliceProject: alice.projectId,
            demo: try await token(user: "demo", password: "demo-password", project: "demo"), demoProject: demo.projectId
        )
    }

    /// Creates an image (qcow2/bare, named `name`, plus `fields`); fails the test unless 201. Returns its id.
    func createImage(
        token: String, name: String = "image", _ fields: [String: Any] = [:], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        var body: [String: Any] = ["name": name, "disk_format": "qcow2", "container_format": "bare"]
        body.merge(fields) { $1 }
        let reply = try await glance(.post, "/images", token: token, json: body, sourceLocation: sourceLocation)
        #expect(reply.status == 201, "create image: \(reply.summary)", sourceLocation: sourceLocation)
        return try #require(reply.value("id") as? String, "create image: \(reply.summary)", sourceLocation: sourceLocation)
    }

    /// `PUT /v2/images/{id}/file` with `bytes`.
    func upload(
        _ id: String, _ bytes: [UInt8], token: String, contentType: String = "application/octet-stream",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> GlanceReply {
        try await glance(.put, "/images/\(id)/file", token: token, raw: bytes, contentType: contentType, sourceLocation: sourceLocation)
    }

    /// Creates an image and uploads `bytes` to it; fails the test unless both succeed.
    func createActiveImage(
        token: String, name: String = "image", _ fields: [String: Any] = [:], bytes: [UInt8] = payload(1024),
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> String {
        let id = try await createImage(token: token, name: name, fields, sourceLocation: sourceLocation)
        let reply = try await upload(id, bytes, token: token, sourceLocation: sourceLocation)
        #expect(reply.status == 204, "upload: \(reply.summary)", sourceLocation: sourceLocation)
        return id
    }

    /// `GET /v2/images/{id}`.
    func showImage(_ id: String, token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> GlanceReply {
        try await glance(.get, "/images/\(id)", token: token, sourceLocation: sourceLocation)
    }

    /// The image's `status`, read as `token` (admin by default in callers).
    func imageStatus(_ id: String, token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> String? {
        try await showImage(id, token: token, sourceLocation: sourceLocation).value("status") as? String
    }

    /// `GET /v2/images/{id}/file`, optionally with a `Range`.
    func download(_ id: String, token: String, range: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> GlanceReply {
        try await glance(.get, "/images/\(id)/file", token: token, headers: range.map { ["Range": $0] } ?? [:], sourceLocation: sourceLocation)
    }

    /// `PATCH /v2/images/{id}` with a JSON-patch document (`operations` serialized, or a String sent as is).
    func patchImage(
        _ id: String, token: String, _ operations: Any, contentType: String = jsonPatchType, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> GlanceReply {
        try await glance(.patch, "/images/\(id)", token: token, json: operations, contentType: contentType, sourceLocation: sourceLocation)
    }

    /// The ids of `GET /v2/images?query`, in order; fails the test unless 200.
    func listImageIDs(_ query: String = "", token: String, sourceLocation: SourceLocation = #_sourceLocation) async throws -> [String] {
        let reply = try await glance(.get, "/images" + (query.isEmpty ? "" : "?" + query), token: token, sourceLocation: sourceLocation)
        #expect(reply.status == 200, "list ?\(query): \(reply.summary)", sourceLocation: sourceLocation)
        return reply.list("images").compactMap { $0["id"] as? String }
    }
}

/// Expects `actual == expected` without printing kilobytes of bytes: the sizes and the first difference instead.
func expectBytes(_ actual: [UInt8], _ expected: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual != expected else { return }
    let firstDifference = zip(actual, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actual.count, expected.count)
    Issue.record("bytes differ: got \(actual.count) bytes, expected \(expected.count); first difference at offset \(firstDifference)",
                 sourceLocation: sourceLocation)
}
