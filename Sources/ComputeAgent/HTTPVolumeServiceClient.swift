import Foundation
public import HTTPSupport
public import Messaging
public import StratusCore

/// The volume service's REST API (Cinder v3 attachments, microversion 3.44) called with the user's token, as Nova
/// calls Cinder: `PUT /v3/attachments/{id}` with the host's connector, `POST /v3/attachments/{id}/action`
/// `{"os-complete": null}`, `DELETE /v3/attachments/{id}`, and `DELETE /v3/volumes/{id}` for a server's
/// delete-on-termination volumes.
public struct HTTPVolumeServiceClient: VolumeServiceClient {
    /// `http://HOST:PORT/volume`, from the catalog.
    let baseURL: String
    let http: ServiceHTTPClient

    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        self.baseURL = baseURL
        self.http = http
    }

    public func updateAttachment(
        _ attachment: AttachmentID, host: String, mountpoint: String, credentials: Credentials
    ) async throws -> VolumeConnection {
        let connector = JSONValue.object(["host": .string(host), "mountpoint": .string(mountpoint)])
        let body = JSONValue.object(["attachment": .object(["connector": connector])])
        let reply = try await send("PUT", "/attachments/\(escaped(attachment.rawValue))", body: body, credentials: credentials)
        guard case .object(let fields)? = reply["attachment"], case .object(let info)? = fields["connection_info"] else {
            throw Self.malformed("attachment")
        }
        guard case .string("file")? = info["driver_volume_type"] else {
            throw StratusError.unavailable("Volume attachment \(attachment) is of a connection type this host cannot attach (only file).")
        }
        guard case .object(let data)? = info["data"], case .string(let path)? = data["path"], case .string(let volumeId)? = data["volume_id"]
        else { throw Self.malformed("connection_info") }
        let format: String = if case .string(let name)? = data["format"] { name } else { "raw" }
        return VolumeConnection(volumeId: VolumeID(volumeId), path: path, format: format)
    }

    public func completeAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws {
        _ = try await send("POST", "/attachments/\(escaped(attachment.rawValue))/action", body: .object(["os-complete": .null]), credentials: credentials)
    }

    public func deleteAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws {
        _ = try await send("DELETE", "/attachments/\(escaped(attachment.rawValue))", body: nil, credentials: credentials)
    }

    public func deleteVolume(_ volume: VolumeID, credentials: Credentials) async throws {
        _ = try await send("DELETE", "/volumes/\(escaped(volume.rawValue))", body: nil, credentials: credentials)
    }

    /// The reply's JSON object (empty for 204); a fault reply becomes the error of its status, with the volume
    /// service's message.
    private func send(_ method: String, _ path: String, body: JSONValue?, credentials: Credentials) async throws -> [String: JSONValue] {
        var headers = [
            ("X-Auth-Token", credentials.token), ("Accept", "application/json"), ("OpenStack-API-Version", "volume 3.44"),
            ("X-OpenStack-Request-ID", credentials.requestId),
        ]
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONEncoder().encode(body))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await http.send(method, baseURL + "/v3" + path, headers: headers, body: bytes)
        // Deleting what is gone already (a retried detach) is done.
        if response.status == 404, method == "DELETE" { return [:] }
        let decoded = response.body.isEmpty ? nil : try? JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))
        guard (200..<300).contains(response.status) else {
            // Cinder's faults are Nova's: {"itemNotFound": {"code": 404, "message": "…"}}.
            var message = "The volume service answered \(response.status) to \(method) \(path)."
            if let fault = decoded?.values.first, case .object(let fields) = fault, case .string(let text)? = fields["message"] { message = text }
            switch response.status {
            case 400: throw StratusError.badRequest(message)
            case 403: throw StratusError.forbidden(message)
            case 404: throw StratusError.notFound(kind: "volume attachment", id: String(path.split(separator: "/").dropFirst().first ?? ""))
            case 409: throw StratusError.conflict(message)
            default: throw StratusError.unavailable(message)
            }
        }
        guard response.body.isEmpty || decoded != nil else { throw Self.malformed("body") }
        return decoded ?? [:]
    }

    private func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&="))) ?? text
    }

    private static func malformed(_ what: String) -> StratusError {
        StratusError.unavailable("The volume service sent a malformed \(what).")
    }
}
