import Crypto
import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/os-keypairs`: each user's public keys (types `ssh` and `x509`). Since 2.92 keys are imported, never generated.
struct KeypairController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-keypairs", use: list)
        group.post("os-keypairs", use: create)
        group.get("os-keypairs/{name}", use: show)
        group.delete("os-keypairs/{name}", use: delete)
    }

    /// What each answer shows of a key, as Nova's: a list item its name, key, fingerprint (and type from 2.2); a
    /// create also its user; a show the whole record.
    enum View {
        case listItem, created, shown
    }

    func view(_ keypair: Keypair, version: APIVersion, as kind: View) -> JSONValue {
        var view: [String: JSONValue] = [
            "name": .string(keypair.name), "public_key": .string(keypair.publicKey), "fingerprint": .string(keypair.fingerprint),
        ]
        if version >= APIVersion(2, 2) { view["type"] = .string(keypair.type.rawValue) }
        if kind != .listItem { view["user_id"] = .string(keypair.userId.rawValue) }
        if kind == .shown {
            view["created_at"] = .string(keypair.createdAt.iso8601Microseconds.replacingOccurrences(of: "Z", with: ""))
            view["deleted"] = .bool(false)
            view["deleted_at"] = .null
            view["updated_at"] = .null
        }
        return .object(view)
    }

    /// The user whose keys are meant: the caller, or (admin, 2.10+) the `user_id` asked for.
    func user(_ requested: String?, auth: AuthContext, version: APIVersion) throws -> UserID {
        guard let requested, requested != auth.userId.rawValue else { return auth.userId }
        guard version >= APIVersion(2, 10) else { return auth.userId }
        try auth.requireAdmin("os_compute_api:os-keypairs")
        return UserID(requested)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let user = try user(request.uri.queryParameters["user_id"].map(String.init), auth: auth, version: context.apiVersion)
        let keypairs = try await api.repository.keypairs(user: user)
        let page = try Pagination(query: request.uri.queryParameters, ids: keypairs.map(\.name))
        var body: [String: JSONValue] = [
            "keypairs": .array(keypairs[page.range].map { .object(["keypair": view($0, version: context.apiVersion, as: .listItem)]) })
        ]
        if let next = page.nextMarker, context.apiVersion >= APIVersion(2, 35) {
            body["keypairs_links"] = .array([.object(["rel": .string("next"), "href": .string(api.baseURL + "/v2.1/os-keypairs?limit=\(page.limit!)&marker=\(next)")])])
        }
        return try JSONResponse.make(JSONValue.object(body))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireWriter("os_compute_api:os-keypairs:create")
        var request = request
        var body = try BodyReader(try await request.jsonObject(context: context), key: "keypair")
        guard let name = try body.string("name"), Self.validName(name) else {
            throw StratusError.badRequest("Keypair data is invalid: Keypair name contains unsafe characters")
        }
        let typeText = context.apiVersion >= APIVersion(2, 2) ? try body.string("type") ?? "ssh" : "ssh"
        guard let type = Keypair.KeyType(rawValue: typeText) else {
            throw StratusError.badRequest("Invalid input for field/attribute type. Value: \(typeText.prefix(32)). '\(typeText.prefix(32))' is not one of ['ssh', 'x509']")
        }
        let owner = try user(context.apiVersion >= APIVersion(2, 10) ? try body.string("user_id") : nil, auth: auth, version: context.apiVersion)
        guard let publicKey = try body.string("public_key", maxLength: 65535) else {
            throw StratusError.badRequest("Invalid input for field/attribute keypair. 'public_key' is a required property: keys are imported, not generated.")
        }
        try body.finish()
        let fingerprint = try Self.fingerprint(publicKey, type: type)
        try Quotas.check(.keyPairs, requested: 1, used: try await api.repository.keypairs(user: owner).count,
                         limit: try await Quotas(repository: api.repository).limits(try auth.computeProject())[.keyPairs]!)
        let keypair = Keypair(userId: owner, name: name, type: type, publicKey: publicKey, fingerprint: fingerprint, createdAt: api.now)
        try await api.repository.createKeypair(keypair)
        let status: HTTPResponse.Status = context.apiVersion >= APIVersion(2, 2) ? .created : .ok
        return try JSONResponse.make(JSONValue.object(["keypair": view(keypair, version: context.apiVersion, as: .created)]), status: status)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let user = try user(request.uri.queryParameters["user_id"].map(String.init), auth: auth, version: context.apiVersion)
        let name = try context.parameters.require("name")
        guard let keypair = try await api.repository.keypair(user: user, name: name) else {
            throw ComputeFault.notFound("Keypair \(name.prefix(64)) not found for user \(user)")
        }
        return try JSONResponse.make(JSONValue.object(["keypair": view(keypair, version: context.apiVersion, as: .shown)]))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireWriter("os_compute_api:os-keypairs:delete")
        let user = try user(request.uri.queryParameters["user_id"].map(String.init), auth: auth, version: context.apiVersion)
        let name = try context.parameters.require("name")
        guard try await api.repository.deleteKeypair(user: user, name: name) else {
            throw ComputeFault.notFound("Keypair \(name.prefix(64)) not found for user \(user)")
        }
        return JSONResponse.empty(status: context.apiVersion >= APIVersion(2, 2) ? .noContent : .accepted)
    }

    /// Nova's safe names: letters, digits, spaces and `-_.@`, at most 255.
    static func validName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 255 && name.trimmingCharacters(in: .whitespaces) == name
            && name.allSatisfy { $0.isLetter || $0.isNumber || " -_.@".contains($0) }
    }

    /// An ssh key's MD5 fingerprint of its key blob, or an x509 certificate's SHA-1 of its DER, colon-separated.
    static func fingerprint(_ publicKey: String, type: Keypair.KeyType) throws -> String {
        let invalid = StratusError.badRequest("Keypair data is invalid: failed to generate fingerprint")
        let blob: Data
        switch type {
        case .ssh:
            let words = publicKey.split(separator: " ", omittingEmptySubsequences: true)
            guard words.count >= 2, words[0].hasPrefix("ssh-") || words[0].hasPrefix("ecdsa-"), let data = Data(base64Encoded: String(words[1])), !data.isEmpty else {
                throw invalid
            }
            blob = data
            return Insecure.MD5.hash(data: blob).map { String(format: "%02x", $0) }.joined(separator: ":")
        case .x509:
            let body = publicKey.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            guard publicKey.contains("BEGIN CERTIFICATE"), let data = Data(base64Encoded: body), !data.isEmpty else { throw invalid }
            blob = data
            return Insecure.SHA1.hash(data: blob).map { String(format: "%02x", $0) }.joined(separator: ":")
        }
    }
}
