import Foundation
public import StratusCore

/// The volume service's REST API (Cinder v3 at microversion 3.44) called with a user's token, as Nova calls Cinder;
/// shared by the compute API and the compute hosts.
public struct VolumeServiceHTTP: Sendable {
    /// `http://HOST:PORT/volume`, from the catalog.
    let baseURL: String
    let http: ServiceHTTPClient

    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        self.baseURL = baseURL
        self.http = http
    }

    /// The reply's status and JSON object (empty for 204). A 404 is returned: the caller decides what is missing.
    /// Other faults become the error of their status, with the volume service's message.
    public func send(
        _ method: String, _ path: String, body: JSONValue? = nil, token: String, requestId: String? = nil
    ) async throws -> (status: Int, object: [String: JSONValue]) {
        var headers = [("X-Auth-Token", token), ("Accept", "application/json"), ("OpenStack-API-Version", "volume 3.44")]
        if let requestId { headers.append(("X-OpenStack-Request-ID", requestId)) }
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONEncoder().encode(body))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await http.send(method, baseURL + "/v3" + path, headers: headers, body: bytes)
        if response.status == 404 { return (404, [:]) }
        let decoded = response.body.isEmpty ? nil : try? JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))
        guard (200..<300).contains(response.status) else {
            // Cinder's faults are Nova's: {"badRequest": {"code": 400, "message": "…"}}.
            var message = "The volume service answered \(response.status) to \(method) \(path)."
            if let fault = decoded?.values.first, case .object(let fields) = fault, case .string(let text)? = fields["message"] { message = text }
            switch response.status {
            case 400: throw StratusError.badRequest(message)
            case 403: throw StratusError.forbidden(message)
            case 409: throw StratusError.conflict(message)
            default: throw StratusError.unavailable(message)
            }
        }
        guard response.body.isEmpty || decoded != nil else { throw Self.malformed("body") }
        return (response.status, decoded ?? [:])
    }

    /// The volume's `status` (`GET /volumes/{id}`); nil when it does not exist for the token's user.
    public func volumeStatus(_ id: VolumeID, token: String, requestId: String? = nil) async throws -> String? {
        let (status, reply) = try await send("GET", "/volumes/\(Self.escaped(id.rawValue))", token: token, requestId: requestId)
        if status == 404 { return nil }
        guard case .object(let volume)? = reply["volume"], case .string(let state)? = volume["status"] else { throw Self.malformed("volume") }
        return state
    }

    /// Reserves the volume for the instance (`POST /attachments` without a connector): the volume becomes `reserved`.
    public func createAttachment(volume: VolumeID, instance: InstanceID, token: String, requestId: String? = nil) async throws -> AttachmentID {
        let body = JSONValue.object([
            "attachment": .object(["volume_uuid": .string(volume.rawValue), "instance_uuid": .string(instance.rawValue)])
        ])
        let (status, reply) = try await send("POST", "/attachments", body: body, token: token, requestId: requestId)
        if status == 404 { throw StratusError.notFound(kind: "volume", id: volume.rawValue) }
        guard case .object(let attachment)? = reply["attachment"], case .string(let id)? = attachment["id"] else { throw Self.malformed("attachment") }
        return AttachmentID(id)
    }

    /// A path segment for an id.
    public static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&="))) ?? text
    }

    public static func malformed(_ what: String) -> StratusError {
        StratusError.unavailable("The volume service sent a malformed \(what).")
    }
}
