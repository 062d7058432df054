import ComputeAPI
import ComputeAgent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Messaging
import NIOCore
import StratusCore
import Synchronization
import Testing

/// The volume service clients (the compute host's and the compute API's) against a stand-in that answers as Cinder's
/// API reference documents the attachments API (3.44+) and volume show: the requests they send, and how they read
/// the answers and faults.
@Suite("Volume service contract")
struct VolumeServiceContractTests {
    /// One request as the stand-in received it.
    struct Received: Sendable, Equatable {
        var method: String
        var path: String
        var body: String
        var token: String?
        var version: String?
    }

    /// Every request the stand-in received, in order.
    final class Log: Sendable {
        let requests = Mutex<[Received]>([])
    }

    static let volumeId = "8f1c2b1e-8a0e-4f55-9d43-0c2f7f6b1a11"
    static let attachmentId = "3b1e5f0c-9d2a-4c1b-8e7f-0a1b2c3d4e5f"

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Runs `body` with the stand-in's `/volume` URL and what it received.
    static func withCinder(_ body: @Sendable (String, Log) async throws -> Void) async throws {
        let log = Log()
        let router = Router()
        let known = attachmentId
        let volume = volumeId
        @Sendable func record(_ request: Request) async throws {
            let bytes = try await request.body.collect(upTo: 1 << 20)
            let entry = Received(
                method: request.method.rawValue, path: request.uri.path, body: String(buffer: bytes),
                token: request.headers[HTTPField.Name("X-Auth-Token")!], version: request.headers[HTTPField.Name("OpenStack-API-Version")!]
            )
            log.requests.withLock { $0.append(entry) }
        }
        let notFound = #"{"itemNotFound": {"code": 404, "message": "VolumeAttachment could not be found."}}"#
        router.put("volume/v3/attachments/{id}") { request, context -> Response in
            try await record(request)
            guard context.parameters.get("id") == known else { return Self.json(notFound, status: .notFound) }
            return Self.json(#"""
                {"attachment": {"id": "\#(known)", "status": "attaching", "instance": "i-1", "volume_id": "\#(volume)", "attach_mode": "rw",
                 "attached_at": "", "detached_at": "",
                 "connection_info": {"driver_volume_type": "file", "data": {"path": "/data/volumes/volume-\#(volume).qcow2", "format": "qcow2", "volume_id": "\#(volume)"}}}}
                """#)
        }
        router.post("volume/v3/attachments/{id}/action") { request, _ -> Response in
            try await record(request)
            return Response(status: .noContent)
        }
        router.delete("volume/v3/attachments/{id}") { request, context -> Response in
            try await record(request)
            guard context.parameters.get("id") == known else { return Self.json(notFound, status: .notFound) }
            return Self.json(#"{"attachments": []}"#)
        }
        router.post("volume/v3/attachments") { request, _ -> Response in
            try await record(request)
            let body = log.requests.withLock { $0.last?.body ?? "" }
            guard body.contains(volume) else {
                return Self.json(#"{"badRequest": {"code": 400, "message": "Invalid volume: Volume status must be available to reserve."}}"#, status: .badRequest)
            }
            return Self.json(#"{"attachment": {"id": "\#(known)", "status": "reserved", "volume_id": "\#(volume)", "connection_info": {}}}"#)
        }
        router.get("volume/v3/volumes/{id}") { request, context -> Response in
            try await record(request)
            guard context.parameters.get("id") == volume else {
                return Self.json(#"{"itemNotFound": {"code": 404, "message": "Volume could not be found."}}"#, status: .notFound)
            }
            return Self.json(#"{"volume": {"id": "\#(volume)", "status": "available", "size": 1}}"#)
        }
        router.delete("volume/v3/volumes/{id}") { request, _ -> Response in
            try await record(request)
            return Response(status: .accepted)
        }
        try await Application(router: router).test(.live) { client in
            let port = try #require(client.port)
            try await body("http://127.0.0.1:\(port)/volume", log)
        }
    }

    static let credentials = Credentials(
        requestId: "req-1", token: "user-token", userId: UserID("u"), userDomainId: .defaultDomain, projectId: ProjectID("p"), roles: ["member"]
    )

    @Test func theComputeHostUpdatesCompletesAndDeletesAttachments() async throws {
        try await Self.withCinder { url, received in
            let client = HTTPVolumeServiceClient(baseURL: url)
            let connection = try await client.updateAttachment(
                AttachmentID(Self.attachmentId), host: "host-1", mountpoint: "/dev/vdb", credentials: Self.credentials
            )
            #expect(connection == VolumeConnection(volumeId: VolumeID(Self.volumeId), path: "/data/volumes/volume-\(Self.volumeId).qcow2", format: "qcow2"))
            try await client.completeAttachment(AttachmentID(Self.attachmentId), credentials: Self.credentials)
            try await client.deleteAttachment(AttachmentID(Self.attachmentId), credentials: Self.credentials)
            // An attachment deleted already (a retried detach) is not an error; an unknown one cannot be updated.
            try await client.deleteAttachment(AttachmentID("gone"), credentials: Self.credentials)
            await #expect(throws: StratusError.notFound(kind: "volume attachment", id: "gone")) {
                try await client.updateAttachment(AttachmentID("gone"), host: "host-1", mountpoint: "/dev/vdb", credentials: Self.credentials)
            }
            try await client.deleteVolume(VolumeID(Self.volumeId), credentials: Self.credentials)

            let requests = received.requests.withLock { $0 }
            #expect(requests.map { "\($0.method) \($0.path)" } == [
                "PUT /volume/v3/attachments/\(Self.attachmentId)", "POST /volume/v3/attachments/\(Self.attachmentId)/action",
                "DELETE /volume/v3/attachments/\(Self.attachmentId)", "DELETE /volume/v3/attachments/gone", "PUT /volume/v3/attachments/gone",
                "DELETE /volume/v3/volumes/\(Self.volumeId)",
            ])
            #expect(try Self.object(requests[0].body) == ["attachment": ["connector": ["host": "host-1", "mountpoint": "/dev/vdb"]]] as NSDictionary)
            #expect(try Self.object(requests[1].body) == ["os-complete": NSNull()] as NSDictionary)
            #expect(requests.allSatisfy { $0.token == "user-token" && $0.version == "volume 3.44" })
        }
    }

    @Test func theComputeAPIReadsVolumesAndReservesThem() async throws {
        try await Self.withCinder { url, received in
            let catalog = HTTPVolumeCatalog(baseURL: url)
            #expect(try await catalog.volumeStatus(VolumeID(Self.volumeId), token: "user-token") == "available")
            #expect(try await catalog.volumeStatus(VolumeID("someone-elses"), token: "user-token") == nil)
            let attachment = try await catalog.createAttachment(volume: VolumeID(Self.volumeId), instance: InstanceID("i-1"), token: "user-token")
            #expect(attachment == AttachmentID(Self.attachmentId))
            await #expect(throws: StratusError.badRequest("Invalid volume: Volume status must be available to reserve.")) {
                try await catalog.createAttachment(volume: VolumeID("in-use"), instance: InstanceID("i-1"), token: "user-token")
            }
            try await catalog.deleteAttachment(attachment, token: "user-token")
            try await catalog.deleteAttachment(AttachmentID("gone"), token: "user-token")

            let requests = received.requests.withLock { $0 }
            let create = try #require(requests.first { $0.method == "POST" })
            #expect(try Self.object(create.body) == ["attachment": ["volume_uuid": Self.volumeId, "instance_uuid": "i-1"]] as NSDictionary)
            #expect(requests.allSatisfy { $0.token == "user-token" && $0.version == "volume 3.44" })
        }
    }

    static func object(_ text: String) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? NSDictionary)
    }
}
