public import ComputeAPI
public import ComputeAgent
public import Messaging
public import StratusCore

/// A volume service in memory for compute tests: what the compute API asks (volumes, attachments made and deleted)
/// and what compute hosts ask (the attachment's connection, its completion), with Cinder's status changes. A volume
/// is visible only with the token it was added with (a stand-in for its project).
public actor FakeVolumeService: VolumeCatalog, VolumeServiceClient {
    public struct Volume: Sendable, Equatable {
        public var token: String
        public var status: String
        public var path: String
    }

    public private(set) var volumes: [VolumeID: Volume] = [:]
    /// Every attachment that exists, with its volume.
    public private(set) var attachments: [AttachmentID: VolumeID] = [:]
    private var attachmentInstances: [AttachmentID: InstanceID] = [:]
    private var failNextUpdate: String?

    public init() {}

    /// Adds an `available` volume, visible with `token`, whose file is `path`.
    public func addVolume(_ id: VolumeID, token: String, path: String = "/volumes/fake.qcow2") {
        volumes[id] = Volume(token: token, status: "available", path: path)
    }

    /// Makes the next `updateAttachment` fail with a 500 and `message` (the volume service failing after the reserve).
    public func failNextUpdate(_ message: String) {
        failNextUpdate = message
    }

    public func volumeStatus(_ id: VolumeID, token: String) async throws -> String? {
        guard let volume = volumes[id], volume.token == token else { return nil }
        return volume.status
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, token: String) async throws -> AttachmentID {
        guard volumes[volume]?.status == "available" else { throw StratusError.badRequest("Volume \(volume) is not available.") }
        let id = AttachmentID.generateUUID()
        attachments[id] = volume
        attachmentInstances[id] = instance
        volumes[volume]?.status = "reserved"
        return id
    }

    public func deleteAttachment(_ id: AttachmentID, token: String) async throws {
        release(id)
    }

    public func deleteVolume(_ id: VolumeID, token: String) async throws {
        volumes[id] = nil
    }

    public func createVolume(name: String, sizeGB: Int, image: ImageID?, credentials: Credentials) async throws -> VolumeID {
        let id = VolumeID.generateUUID()
        addVolume(id, token: credentials.token, path: "/volumes/\(id).qcow2")
        return id
    }

    public func volumeStatus(_ volume: VolumeID, credentials: Credentials) async throws -> String? {
        try await volumeStatus(volume, token: credentials.token)
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, credentials: Credentials) async throws -> AttachmentID {
        try await createAttachment(volume: volume, instance: instance, token: credentials.token)
    }

    public func updateAttachment(
        _ attachment: AttachmentID, host: String, mountpoint: String, credentials: Credentials
    ) async throws -> VolumeConnection {
        if let message = failNextUpdate {
            failNextUpdate = nil
            throw RemoteFault(status: 500, message: message)
        }
        guard let volumeId = attachments[attachment], let volume = volumes[volumeId] else {
            throw StratusError.notFound(kind: "volume attachment", id: attachment.rawValue)
        }
        volumes[volumeId]?.status = "attaching"
        return VolumeConnection(volumeId: volumeId, path: volume.path, format: "qcow2")
    }

    public func completeAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws {
        guard let volumeId = attachments[attachment] else { throw StratusError.notFound(kind: "volume attachment", id: attachment.rawValue) }
        volumes[volumeId]?.status = "in-use"
    }

    public func deleteAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws {
        release(attachment)
    }

    public func attachments(of instance: InstanceID, credentials: Credentials) async throws -> [VolumeServiceAttachment] {
        attachmentInstances.filter { $0.value == instance }.compactMap { id, _ in
            attachments[id].map { volume in
                let status = volumes[volume]?.status
                return VolumeServiceAttachment(id: id, volumeId: volume, status: status == "in-use" ? "attached" : status ?? "reserved")
            }
        }
    }

    public func deleteVolume(_ volume: VolumeID, credentials: Credentials) async throws {
        volumes[volume] = nil
    }

    /// Deletes the attachment; its volume is `available` again once it has no other.
    private func release(_ attachment: AttachmentID) {
        attachmentInstances[attachment] = nil
        guard let volumeId = attachments.removeValue(forKey: attachment) else { return }
        if !attachments.values.contains(volumeId) { volumes[volumeId]?.status = "available" }
    }
}
