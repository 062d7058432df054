import Foundation
import HTTPTypes
import StratusCore
import StratusTesting
import Testing

/// `/volume/v3` + `path` as `token`, at microversion 3.70 (paths without a project id, attachments).
func cinder(_ client: TestClient, _ method: HTTPRequest.Method, _ path: String, _ token: String, _ json: Any? = nil) async throws -> TestClient.Reply {
    try await client.request(method, "/volume/v3" + path, token: token, json: json, headers: ["OpenStack-API-Version": "volume 3.70"])
}

/// Creates a volume of `size` GiB through the volume API and waits until the worker made it `available`; returns its id.
func createVolume(_ client: TestClient, _ token: String, size: Int = 1) async throws -> VolumeID {
    let reply = try await cinder(client, .post, "/volumes", token, ["volume": ["size": size]])
    try #require(reply.status == 202, "\(reply.summary)")
    let id = VolumeID(try #require(reply.string("volume", "id")))
    try await waitForVolume(client, token, id, "available")
    return id
}

/// The volume's status as `token` sees it (`GET /volumes/{id}`); nil when it is not there for them.
func volumeStatus(_ client: TestClient, _ token: String, _ id: VolumeID) async throws -> String? {
    let reply = try await cinder(client, .get, "/volumes/\(id)", token)
    if reply.status == 404 { return nil }
    try #require(reply.status == 200, "\(reply.summary)")
    return reply.string("volume", "status")
}

/// Polls the volume until its status is `status` (nil: until it is gone), with a deadline; the volume service's
/// worker creates and deletes in the background.
func waitForVolume(
    _ client: TestClient, _ token: String, _ id: VolumeID, _ status: String?, seconds: Double = 20, sourceLocation: SourceLocation = #_sourceLocation
) async throws {
    let deadline = ContinuousClock.now + .seconds(seconds)
    var current = try await volumeStatus(client, token, id)
    while current != status {
        guard ContinuousClock.now < deadline else {
            Issue.record("volume \(id) still \(current ?? "gone") after \(seconds) s waiting for \(status ?? "gone")", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(5))
        current = try await volumeStatus(client, token, id)
    }
}

/// The ids of the volumes of `token`'s project (`GET /volumes`).
func volumeIds(_ client: TestClient, _ token: String) async throws -> Set<VolumeID> {
    let reply = try await cinder(client, .get, "/volumes", token)
    try #require(reply.status == 200, "\(reply.summary)")
    return Set(reply.list("volumes").compactMap { ($0["id"] as? String).map { VolumeID($0) } })
}

/// The attachments of `token`'s project (`GET /attachments`), as the volume service lists them.
func volumeAttachments(_ client: TestClient, _ token: String) async throws -> [[String: Any]] {
    let reply = try await cinder(client, .get, "/attachments", token)
    try #require(reply.status == 200, "\(reply.summary)")
    return reply.list("attachments")
}

/// Reserves the volume for `instance` through the volume API, as the compute API does (`POST /attachments`); returns
/// the attachment's id.
func reserveVolume(_ client: TestClient, _ token: String, _ volume: VolumeID, instance: String) async throws -> String {
    let reply = try await cinder(client, .post, "/attachments", token, ["attachment": ["volume_uuid": volume.rawValue, "instance_uuid": instance]])
    try #require(reply.status == 200, "\(reply.summary)")
    return try #require(reply.string("attachment", "id"))
}
