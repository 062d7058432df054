import Foundation
public import HTTPSupport
public import Messaging
public import StratusCore

/// The volume service's REST API (Cinder v3 attachments, microversion 3.44) called with the user's token, as Nova
/// calls Cinder: `PUT /v3/attachments/{id}` with the host's connector, `POST /v3/attachments/{id}/action`
/// `{"os-complete": null}`, `DELETE /v3/attachments/{id}`, and `DELETE /v3/volumes/{id}` for a server's
/// delete-on-termination volumes.
public struct HTTPVolumeServiceClient: VolumeServiceClient {
    let service: VolumeServiceHTTP

    /// `baseURL`: `http://HOST:PORT/volume`, from the catalog.
    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        service = VolumeServiceHTTP(baseURL: baseURL, http: http)
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

    /// The reply's JSON object. Deleting what is gone already (a retried detach) is done; anything else missing is a 404.
    private func send(_ method: String, _ path: String, body: JSONValue?, credentials: Credentials) async throws -> [String: JSONValue] {
        let (status, object) = try await service.send(method, path, body: body, token: credentials.token, requestId: credentials.requestId)
        if status == 404, method != "DELETE" {
            throw StratusError.notFound(kind: "volume attachment", id: String(path.split(separator: "/").dropFirst().first ?? ""))
        }
        return object
    }

    private func escaped(_ text: String) -> String { VolumeServiceHTTP.escaped(text) }

    private static func malformed(_ what: String) -> StratusError { VolumeServiceHTTP.malformed(what) }
}
