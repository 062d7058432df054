import Foundation
public import HTTPSupport
public import ServiceClients
public import StratusCore

/// The volume service's REST API (Cinder v3, microversion 3.44) called with the user's token, as nova-api calls
/// Cinder: `GET /v3/volumes/{id}`, `POST /v3/attachments`, `DELETE /v3/attachments/{id}`, `DELETE /v3/volumes/{id}`.
public struct HTTPVolumeCatalog: VolumeCatalog {
    let service: VolumeServiceHTTP

    /// `baseURL`: `http://HOST:PORT/volume`, from the catalog.
    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        service = VolumeServiceHTTP(baseURL: baseURL, http: http)
    }

    public func volumeStatus(_ id: VolumeID, token: String) async throws -> String? {
        try await service.volumeStatus(id, token: token)
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, token: String) async throws -> AttachmentID {
        try await service.createAttachment(volume: volume, instance: instance, token: token)
    }

    public func deleteAttachment(_ id: AttachmentID, token: String) async throws {
        _ = try await send("DELETE", "/attachments/\(escaped(id.rawValue))", body: nil, token: token)
    }

    public func deleteVolume(_ id: VolumeID, token: String) async throws {
        _ = try await send("DELETE", "/volumes/\(escaped(id.rawValue))", body: nil, token: token)
    }

    private func send(_ method: String, _ path: String, body: JSONValue?, token: String) async throws -> (Int, [String: JSONValue]) {
        try await service.send(method, path, body: body, token: token)
    }

    private func escaped(_ text: String) -> String { VolumeServiceHTTP.escaped(text) }

    private static func malformed(_ what: String) -> StratusError { VolumeServiceHTTP.malformed(what) }
}
