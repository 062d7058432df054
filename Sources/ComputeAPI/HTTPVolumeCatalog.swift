import Foundation
public import HTTPSupport
public import StratusCore

/// The volume service's REST API (Cinder v3, microversion 3.44) called with the user's token, as nova-api calls
/// Cinder: `GET /v3/volumes/{id}`, `POST /v3/attachments`, `DELETE /v3/attachments/{id}`, `DELETE /v3/volumes/{id}`.
public struct HTTPVolumeCatalog: VolumeCatalog {
    /// `http://HOST:PORT/volume`, from the catalog.
    let baseURL: String
    let http: ServiceHTTPClient

    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        self.baseURL = baseURL
        self.http = http
    }

    public func volumeStatus(_ id: VolumeID, token: String) async throws -> String? {
        let (status, reply) = try await send("GET", "/volumes/\(escaped(id.rawValue))", body: nil, token: token)
        if status == 404 { return nil }
        guard case .object(let volume)? = reply["volume"], case .string(let state)? = volume["status"] else { throw Self.malformed("volume") }
        return state
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, token: String) async throws -> AttachmentID {
        let body = JSONValue.object([
            "attachment": .object(["volume_uuid": .string(volume.rawValue), "instance_uuid": .string(instance.rawValue)])
        ])
        let (_, reply) = try await send("POST", "/attachments", body: body, token: token)
        guard case .object(let attachment)? = reply["attachment"], case .string(let id)? = attachment["id"] else { throw Self.malformed("attachment") }
        return AttachmentID(id)
    }

    public func deleteAttachment(_ id: AttachmentID, token: String) async throws {
        _ = try await send("DELETE", "/attachments/\(escaped(id.rawValue))", body: nil, token: token)
    }

    public func deleteVolume(_ id: VolumeID, token: String) async throws {
        _ = try await send("DELETE", "/volumes/\(escaped(id.rawValue))", body: nil, token: token)
    }

    /// The status and JSON object of the reply; 404 is returned (the caller decides what is missing), other faults
    /// become the error of their status with the volume service's message.
    private func send(_ method: String, _ path: String, body: JSONValue?, token: String) async throws -> (Int, [String: JSONValue]) {
        var headers = [("X-Auth-Token", token), ("Accept", "application/json"), ("OpenStack-API-Version", "volume 3.44")]
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONEncoder().encode(body))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await http.send(method, baseURL + "/v3" + path, headers: headers, body: bytes)
        let decoded = response.body.isEmpty ? nil : try? JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))
        if response.status == 404 { return (404, [:]) }
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

    private func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&="))) ?? text
    }

    private static func malformed(_ what: String) -> StratusError {
        StratusError.unavailable("The volume service sent a malformed \(what).")
    }
}
