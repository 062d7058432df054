import Foundation
public import Messaging
public import ServiceClients
public import StratusCore

/// The volume service's REST API (Cinder v3 attachments, microversion 3.44) called with the user's token, as Nova
/// calls Cinder: `POST /v3/volumes` and `GET /v3/volumes/{id}` for a boot's new volumes, `POST /v3/attachments`,
/// `PUT /v3/attachments/{id}` with the host's connector, `POST /v3/attachments/{id}/action`
/// `{"os-complete": null}`, `GET /v3/attachments/{id}` (a move's destination), `GET /v3/attachments?instance_id=…`, `DELETE /v3/attachments/{id}`, and `DELETE /v3/volumes/{id}` for a server's
/// delete-on-termination volumes.
public struct HTTPVolumeServiceClient: VolumeServiceClient {
    let service: VolumeServiceHTTP

    /// `baseURL`: `http://HOST:PORT/volume`, from the catalog.
    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        service = VolumeServiceHTTP(baseURL: baseURL, http: http)
    }

    public func createVolume(name: String, sizeGB: Int, image: ImageID?, credentials: Credentials) async throws -> VolumeID {
        var volume: [String: JSONValue] = ["name": .string(name), "size": .number(Double(sizeGB))]
        if let image { volume["imageRef"] = .string(image.rawValue) }
        let reply = try await send("POST", "/volumes", body: .object(["volume": .object(volume)]), credentials: credentials)
        guard case .object(let created)? = reply["volume"], case .string(let id)? = created["id"] else { throw Self.malformed("volume") }
        return VolumeID(id)
    }

    public func volumeStatus(_ volume: VolumeID, credentials: Credentials) async throws -> String? {
        try await service.volumeStatus(volume, token: credentials.token, requestId: credentials.requestId)
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, credentials: Credentials) async throws -> AttachmentID {
        try await service.createAttachment(volume: volume, instance: instance, token: credentials.token, requestId: credentials.requestId)
    }

    public func updateAttachment(
        _ attachment: AttachmentID, host: String, mountpoint: String, credentials: Credentials
    ) async throws -> VolumeConnection {
        let connector = JSONValue.object(["host": .string(host), "mountpoint": .string(mountpoint)])
        let body = JSONValue.object(["attachment": .object(["connector": connector])])
        let reply = try await send("PUT", "/attachments/\(escaped(attachment.rawValue))", body: body, credentials: credentials)
        return try Self.connection(in: reply, of: attachment)
    }

    public func connection(of attachment: AttachmentID, credentials: Credentials) async throws -> VolumeConnection {
        try Self.connection(in: try await send("GET", "/attachments/\(escaped(attachment.rawValue))", body: nil, credentials: credentials), of: attachment)
    }

    /// The `file` connection info of an attachment's view.
    private static func connection(in reply: [String: JSONValue], of attachment: AttachmentID) throws -> VolumeConnection {
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

    public func attachments(of instance: InstanceID, credentials: Credentials) async throws -> [VolumeServiceAttachment] {
        let reply = try await send("GET", "/attachments?all_tenants=1&instance_id=\(escaped(instance.rawValue))", body: nil, credentials: credentials)
        guard case .array(let items)? = reply["attachments"] else { throw Self.malformed("attachment list") }
        return try items.map { item in
            guard case .object(let fields) = item, case .string(let id)? = fields["id"], case .string(let volume)? = fields["volume_id"],
                case .string(let status)? = fields["status"]
            else { throw Self.malformed("attachment") }
            return VolumeServiceAttachment(id: AttachmentID(id), volumeId: VolumeID(volume), status: status)
        }
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
