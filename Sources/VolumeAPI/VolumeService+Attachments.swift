import Database
public import HTTPSupport
public import ServiceClients
public import StratusCore

/// The compute host's side of an attachment: Cinder's connector (`host`, and Nova's `mountpoint`).
public struct AttachmentConnector: Sendable {
    public var host: String?
    public var mountpoint: String?

    public init(host: String?, mountpoint: String?) {
        self.host = host
        self.mountpoint = mountpoint
    }
}

/// Cinder's attachments API (microversion 3.27+), the way Nova attaches a volume: create (reserve), update with the
/// host's connector (connection info), complete (`in-use`), delete (detach).
extension VolumeService {
    public func attachment(_ id: AttachmentID, auth: AuthContext) async throws -> VolumeAttachment {
        try Self.requireReader(auth, rule: "volume:attachment_get")
        return try await Self.visibleAttachment(id, auth, in: repository)
    }

    public func attachments(auth: AuthContext, allProjects: Bool) async throws -> [VolumeAttachment] {
        try Self.requireReader(auth, rule: "volume:attachment_get_all")
        if allProjects, auth.isAdmin { return try await repository.attachments(project: nil, volume: nil) }
        return try await repository.attachments(project: try Self.project(of: auth), volume: nil)
    }

    static func visibleAttachment(_ id: AttachmentID, _ auth: AuthContext, in repository: any VolumeRepository) async throws -> VolumeAttachment {
        guard let attachment = try await repository.attachment(id), owns(attachment.projectId, auth) else {
            throw CinderFault.attachmentNotFound(id.rawValue)
        }
        return attachment
    }

    /// Reserves an available volume for a server: the attachment is `reserved`, and so is the volume. With a connector
    /// it is also connected at once, as an update would (`attaching`, with connection info).
    public func createAttachment(
        volume id: VolumeID, instance: String?, connector: AttachmentConnector?, mode: String, auth: AuthContext
    ) async throws -> VolumeAttachment {
        try Self.requireWriter(auth, rule: "volume:attachment_create")
        guard ["rw", "ro"].contains(mode) else {
            throw CinderFault.invalidInput("Invalid attach mode '\(mode)': must be 'rw' or 'ro'.")
        }
        return try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            guard volume.status == .available else {
                throw CinderFault.invalidVolume("Volume status must be available to reserve, but the status is \(volume.status.rawValue).")
            }
            let time = now
            var attachment = VolumeAttachment(
                id: .generateUUID(), volumeId: id, projectId: volume.projectId, instanceId: instance, status: .reserved, attachMode: mode,
                createdAt: time
            )
            volume.status = .reserved
            volume.attachStatus = .reserved
            if let connector {
                connect(&attachment, &volume, connector)
            }
            volume.updatedAt = time
            try await tx.volumes.createAttachment(attachment)
            try await tx.volumes.updateVolume(volume)
            return attachment
        }
    }

    /// Gives a reserved (or attaching) attachment the compute host's connector: it gets the volume's connection info and
    /// is `attaching`, as the volume is.
    public func updateAttachment(_ id: AttachmentID, connector: AttachmentConnector, auth: AuthContext) async throws -> VolumeAttachment {
        try Self.requireWriter(auth, rule: "volume:attachment_update")
        return try await database.transaction { tx in
            var attachment = try await Self.visibleAttachment(id, auth, in: tx.volumes)
            guard [.reserved, .attaching].contains(attachment.status) else {
                throw CinderFault.invalidVolume("Attachment \(id) status must be reserved or attaching to update, but it is \(attachment.status.rawValue).")
            }
            guard var volume = try await tx.volumes.volume(attachment.volumeId) else { throw CinderFault.volumeNotFound(attachment.volumeId.rawValue) }
            connect(&attachment, &volume, connector)
            volume.updatedAt = now
            try await tx.volumes.updateAttachment(attachment)
            try await tx.volumes.updateVolume(volume)
            return attachment
        }
    }

    /// Marks a connected attachment attached (`os-complete`): the volume is `in-use` and lists it.
    public func completeAttachment(_ id: AttachmentID, auth: AuthContext) async throws {
        try Self.requireWriter(auth, rule: "volume:attachment_complete")
        try await database.transaction { tx in
            var attachment = try await Self.visibleAttachment(id, auth, in: tx.volumes)
            guard [.attaching, .attached].contains(attachment.status) else {
                throw CinderFault.invalidVolume("Attachment \(id) has no connection yet: update it with a connector first.")
            }
            guard var volume = try await tx.volumes.volume(attachment.volumeId) else { throw CinderFault.volumeNotFound(attachment.volumeId.rawValue) }
            let time = now
            if attachment.status != .attached {
                attachment.status = .attached
                attachment.attachedAt = time
                try await tx.volumes.updateAttachment(attachment)
            }
            volume.status = .inUse
            volume.attachStatus = .attached
            volume.updatedAt = time
            try await tx.volumes.updateVolume(volume)
        }
    }

    /// Removes an attachment (detach); the volume is `available` again once it has no other. Returns the volume's
    /// attachments that remain.
    public func deleteAttachment(_ id: AttachmentID, auth: AuthContext) async throws -> [VolumeAttachment] {
        try Self.requireWriter(auth, rule: "volume:attachment_delete")
        return try await database.transaction { tx in
            let attachment = try await Self.visibleAttachment(id, auth, in: tx.volumes)
            try await tx.volumes.deleteAttachment(id)
            let remaining = try await tx.volumes.attachments(project: nil, volume: attachment.volumeId)
            guard var volume = try await tx.volumes.volume(attachment.volumeId) else { return remaining }
            if remaining.isEmpty {
                volume.status = .available
                volume.attachStatus = .detached
            } else if remaining.contains(where: { $0.status == .attached }) {
                volume.status = .inUse
                volume.attachStatus = .attached
            }
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
            return remaining
        }
    }

    /// The connector's part of an attachment: connection info, host, device; both go `attaching`.
    private func connect(_ attachment: inout VolumeAttachment, _ volume: inout Volume, _ connector: AttachmentConnector) {
        attachment.connectionInfo = backend.connectionInfo(volume.id)
        attachment.hostName = connector.host ?? attachment.hostName
        attachment.mountpoint = connector.mountpoint ?? attachment.mountpoint
        attachment.status = .attaching
        volume.status = .attaching
        volume.attachStatus = .attaching
    }
}
