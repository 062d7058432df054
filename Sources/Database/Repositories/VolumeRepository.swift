import SQLKit
public import StratusCore

/// Cinder's records: volumes, snapshots, attachments, volume types and volume quota limits.
public protocol VolumeRepository: Sendable {
    func createVolume(_ volume: Volume) async throws
    func volume(_ id: VolumeID) async throws -> Volume?
    /// A project's volumes, or every project's (nil), ordered by id.
    func volumes(project: ProjectID?) async throws -> [Volume]
    /// Replaces the stored record; false when there is none.
    @discardableResult func updateVolume(_ volume: Volume) async throws -> Bool
    /// Moves the status to `to` only if it is one of `from` now; false otherwise (a concurrent change won).
    func transitionVolume(_ id: VolumeID, from: [Volume.Status], to: Volume.Status, at time: Timestamp) async throws -> Bool
    @discardableResult func deleteVolume(_ id: VolumeID) async throws -> Bool

    func createSnapshot(_ snapshot: VolumeSnapshot) async throws
    func snapshot(_ id: SnapshotID) async throws -> VolumeSnapshot?
    /// A project's snapshots (nil: every project's), of one volume when `volume` is set, ordered by id.
    func snapshots(project: ProjectID?, volume: VolumeID?) async throws -> [VolumeSnapshot]
    @discardableResult func updateSnapshot(_ snapshot: VolumeSnapshot) async throws -> Bool
    @discardableResult func deleteSnapshot(_ id: SnapshotID) async throws -> Bool

    func createAttachment(_ attachment: VolumeAttachment) async throws
    func attachment(_ id: AttachmentID) async throws -> VolumeAttachment?
    /// A project's attachments (nil: every project's), of one volume when `volume` is set, oldest first.
    func attachments(project: ProjectID?, volume: VolumeID?) async throws -> [VolumeAttachment]
    @discardableResult func updateAttachment(_ attachment: VolumeAttachment) async throws -> Bool
    @discardableResult func deleteAttachment(_ id: AttachmentID) async throws -> Bool

    /// Every volume type, ordered by name.
    func volumeTypes() async throws -> [VolumeType]

    /// The limits set for a project, by resource (`volumes`, `gigabytes` ...); resources not set are absent.
    func volumeQuotaLimits(project: ProjectID) async throws -> [String: Int]
    func setVolumeQuotaLimit(project: ProjectID, resource: String, limit: Int) async throws
}

/// A volume as a row: metadata as JSON text.
struct VolumeRow: StoredRecord {
    static let table = "volumes"
    static let kind = "volume"

    var id: VolumeID
    var projectId: ProjectID
    var userId: UserID
    var name: String?
    var description: String?
    var size: Int
    var status: Volume.Status
    var attachStatus: Volume.AttachStatus
    var bootable: Bool
    var availabilityZone: String
    var volumeTypeId: VolumeTypeID
    var snapshotId: SnapshotID?
    var sourceVolumeId: VolumeID?
    var imageId: ImageID?
    var metadata: String
    var imageMetadata: String
    var createdAt: Timestamp
    var updatedAt: Timestamp?

    var duplicateDescription: String { "with ID \(id)" }

    init(_ volume: Volume) throws {
        id = volume.id
        projectId = volume.projectId
        userId = volume.userId
        name = volume.name
        description = volume.description
        size = volume.size
        status = volume.status
        attachStatus = volume.attachStatus
        bootable = volume.bootable
        availabilityZone = volume.availabilityZone
        volumeTypeId = volume.volumeTypeId
        snapshotId = volume.snapshotId
        sourceVolumeId = volume.sourceVolumeId
        imageId = volume.imageId
        metadata = try JSONColumn.encode(volume.metadata)
        imageMetadata = try JSONColumn.encode(volume.imageMetadata)
        createdAt = volume.createdAt
        updatedAt = volume.updatedAt
    }

    func volume() throws -> Volume {
        Volume(
            id: id, projectId: projectId, userId: userId, name: name, description: description, size: size, status: status,
            attachStatus: attachStatus, bootable: bootable, availabilityZone: availabilityZone, volumeTypeId: volumeTypeId,
            snapshotId: snapshotId, sourceVolumeId: sourceVolumeId, imageId: imageId,
            metadata: try JSONColumn.decode([String: String].self, metadata),
            imageMetadata: try JSONColumn.decode([String: String].self, imageMetadata), createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

/// A snapshot as a row: metadata as JSON text.
struct VolumeSnapshotRow: StoredRecord {
    static let table = "volume_snapshots"
    static let kind = "snapshot"

    var id: SnapshotID
    var projectId: ProjectID
    var userId: UserID
    var volumeId: VolumeID
    var name: String?
    var description: String?
    var size: Int
    var status: VolumeSnapshot.Status
    var metadata: String
    var createdAt: Timestamp
    var updatedAt: Timestamp?

    var duplicateDescription: String { "with ID \(id)" }

    init(_ snapshot: VolumeSnapshot) throws {
        id = snapshot.id
        projectId = snapshot.projectId
        userId = snapshot.userId
        volumeId = snapshot.volumeId
        name = snapshot.name
        description = snapshot.description
        size = snapshot.size
        status = snapshot.status
        metadata = try JSONColumn.encode(snapshot.metadata)
        createdAt = snapshot.createdAt
        updatedAt = snapshot.updatedAt
    }

    func snapshot() throws -> VolumeSnapshot {
        VolumeSnapshot(
            id: id, projectId: projectId, userId: userId, volumeId: volumeId, name: name, description: description, size: size,
            status: status, metadata: try JSONColumn.decode([String: String].self, metadata), createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

/// An attachment as a row: connection info as JSON text.
struct VolumeAttachmentRow: StoredRecord {
    static let table = "volume_attachments"
    static let kind = "attachment"

    var id: AttachmentID
    var volumeId: VolumeID
    var projectId: ProjectID
    var instanceId: String?
    var status: Volume.AttachStatus
    var attachMode: String
    var hostName: String?
    var mountpoint: String?
    var connectionInfo: String?
    var attachedAt: Timestamp?
    var detachedAt: Timestamp?
    var createdAt: Timestamp

    var duplicateDescription: String { "with ID \(id)" }

    init(_ attachment: VolumeAttachment) throws {
        id = attachment.id
        volumeId = attachment.volumeId
        projectId = attachment.projectId
        instanceId = attachment.instanceId
        status = attachment.status
        attachMode = attachment.attachMode
        hostName = attachment.hostName
        mountpoint = attachment.mountpoint
        connectionInfo = try attachment.connectionInfo.map { try JSONColumn.encode($0) }
        attachedAt = attachment.attachedAt
        detachedAt = attachment.detachedAt
        createdAt = attachment.createdAt
    }

    func attachment() throws -> VolumeAttachment {
        VolumeAttachment(
            id: id, volumeId: volumeId, projectId: projectId, instanceId: instanceId, status: status, attachMode: attachMode,
            hostName: hostName, mountpoint: mountpoint,
            connectionInfo: try connectionInfo.map { try JSONColumn.decode(VolumeAttachment.ConnectionInfo.self, $0) },
            attachedAt: attachedAt, detachedAt: detachedAt, createdAt: createdAt
        )
    }
}

/// A volume type as a row: extra specs as JSON text.
struct VolumeTypeRow: StoredRecord {
    static let table = "volume_types"
    static let kind = "volume type"

    var id: VolumeTypeID
    var name: String
    var description: String?
    var isPublic: Bool
    var extraSpecs: String

    var duplicateDescription: String { "with name \(name)" }

    func volumeType() throws -> VolumeType {
        VolumeType(id: id, name: name, description: description, isPublic: isPublic, extraSpecs: try JSONColumn.decode([String: String].self, extraSpecs))
    }
}

public struct SQLVolumeRepository: VolumeRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    var volumeRows: SQLRecordRepository<VolumeRow> { SQLRecordRepository(executor) }
    var snapshotRows: SQLRecordRepository<VolumeSnapshotRow> { SQLRecordRepository(executor) }
    var attachmentRows: SQLRecordRepository<VolumeAttachmentRow> { SQLRecordRepository(executor) }

    public func createVolume(_ volume: Volume) async throws { try await volumeRows.create(try VolumeRow(volume)) }
    public func volume(_ id: VolumeID) async throws -> Volume? { try await volumeRows.get(id)?.volume() }

    public func volumes(project: ProjectID?) async throws -> [Volume] {
        try await volumeRows.list(project.map { [RecordFilter("project_id", $0.rawValue)] } ?? []).map { try $0.volume() }
    }

    public func updateVolume(_ volume: Volume) async throws -> Bool { try await volumeRows.update(try VolumeRow(volume)) }

    public func transitionVolume(_ id: VolumeID, from: [Volume.Status], to: Volume.Status, at time: Timestamp) async throws -> Bool {
        try await volumeRows.transition(id, from: from.map(\.rawValue), to: to.rawValue, at: time)
    }

    public func deleteVolume(_ id: VolumeID) async throws -> Bool { try await volumeRows.delete(id) }

    public func createSnapshot(_ snapshot: VolumeSnapshot) async throws { try await snapshotRows.create(try VolumeSnapshotRow(snapshot)) }
    public func snapshot(_ id: SnapshotID) async throws -> VolumeSnapshot? { try await snapshotRows.get(id)?.snapshot() }

    public func snapshots(project: ProjectID?, volume: VolumeID?) async throws -> [VolumeSnapshot] {
        var filters: [RecordFilter] = []
        if let project { filters.append(RecordFilter("project_id", project.rawValue)) }
        if let volume { filters.append(RecordFilter("volume_id", volume.rawValue)) }
        return try await snapshotRows.list(filters).map { try $0.snapshot() }
    }

    public func updateSnapshot(_ snapshot: VolumeSnapshot) async throws -> Bool { try await snapshotRows.update(try VolumeSnapshotRow(snapshot)) }
    public func deleteSnapshot(_ id: SnapshotID) async throws -> Bool { try await snapshotRows.delete(id) }

    public func createAttachment(_ attachment: VolumeAttachment) async throws {
        try await attachmentRows.create(try VolumeAttachmentRow(attachment))
    }

    public func attachment(_ id: AttachmentID) async throws -> VolumeAttachment? { try await attachmentRows.get(id)?.attachment() }

    public func attachments(project: ProjectID?, volume: VolumeID?) async throws -> [VolumeAttachment] {
        var filters: [RecordFilter] = []
        if let project { filters.append(RecordFilter("project_id", project.rawValue)) }
        if let volume { filters.append(RecordFilter("volume_id", volume.rawValue)) }
        return try await attachmentRows.list(filters).map { try $0.attachment() }.sorted { ($0.createdAt, $0.id.rawValue) < ($1.createdAt, $1.id.rawValue) }
    }

    public func updateAttachment(_ attachment: VolumeAttachment) async throws -> Bool {
        try await attachmentRows.update(try VolumeAttachmentRow(attachment))
    }

    public func deleteAttachment(_ id: AttachmentID) async throws -> Bool { try await attachmentRows.delete(id) }

    public func volumeTypes() async throws -> [VolumeType] {
        try await SQLRecordRepository<VolumeTypeRow>(executor).list([]).map { try $0.volumeType() }.sorted { $0.name < $1.name }
    }

    public func volumeQuotaLimits(project: ProjectID) async throws -> [String: Int] {
        try await executor.run { db in
            let rows = try await db.select().column("resource").column("hard_limit").from("volume_quotas")
                .where("project_id", .equal, project.rawValue).all()
            var limits: [String: Int] = [:]
            for row in rows { limits[try row.decode(column: "resource", as: String.self)] = try row.decode(column: "hard_limit", as: Int.self) }
            return limits
        }
    }

    public func setVolumeQuotaLimit(project: ProjectID, resource: String, limit: Int) async throws {
        try await executor.run { db in
            let updated = try await db.update("volume_quotas").set("hard_limit", to: limit)
                .where("project_id", .equal, project.rawValue).where("resource", .equal, resource)
                .returning("resource").all()
            if updated.isEmpty {
                try await db.insert(into: "volume_quotas").columns("project_id", "resource", "hard_limit")
                    .values(SQLBind(project.rawValue), SQLBind(resource), SQLBind(limit)).run()
            }
        }
    }
}

extension SQLExecutor {
    /// The volume repository on this executor (the backend, or a transaction).
    public var volumes: any VolumeRepository { SQLVolumeRepository(self) }
}
