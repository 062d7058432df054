/// A Cinder volume: a block device of `size` GiB that belongs to a project; its data lives in a volume backend.
public struct Volume: Sendable, Codable, Equatable {
    /// Cinder's volume statuses (`status`).
    public enum Status: String, Sendable, Codable, CaseIterable {
        case creating, available, reserved, attaching, detaching, deleting, error, extending
        case inUse = "in-use"
        case errorDeleting = "error_deleting"
        case errorExtending = "error_extending"
    }

    /// Cinder's `attach_status`.
    public enum AttachStatus: String, Sendable, Codable {
        case detached, attaching, attached, detaching, reserved
    }

    public var id: VolumeID
    public var projectId: ProjectID
    public var userId: UserID
    public var name: String?
    public var description: String?
    /// GiB.
    public var size: Int
    public var status: Status
    public var attachStatus: AttachStatus
    public var bootable: Bool
    public var availabilityZone: String
    public var volumeTypeId: VolumeTypeID
    /// What it was made from, if anything.
    public var snapshotId: SnapshotID?
    public var sourceVolumeId: VolumeID?
    public var imageId: ImageID?
    public var metadata: [String: String]
    /// `volume_image_metadata`: the image's fields and properties, for a volume made from an image.
    public var imageMetadata: [String: String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp?

    public init(
        id: VolumeID, projectId: ProjectID, userId: UserID, name: String?, description: String?, size: Int, status: Status = .creating,
        attachStatus: AttachStatus = .detached, bootable: Bool = false, availabilityZone: String, volumeTypeId: VolumeTypeID,
        snapshotId: SnapshotID? = nil, sourceVolumeId: VolumeID? = nil, imageId: ImageID? = nil, metadata: [String: String] = [:],
        imageMetadata: [String: String] = [:], createdAt: Timestamp, updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.projectId = projectId
        self.userId = userId
        self.name = name
        self.description = description
        self.size = size
        self.status = status
        self.attachStatus = attachStatus
        self.bootable = bootable
        self.availabilityZone = availabilityZone
        self.volumeTypeId = volumeTypeId
        self.snapshotId = snapshotId
        self.sourceVolumeId = sourceVolumeId
        self.imageId = imageId
        self.metadata = metadata
        self.imageMetadata = imageMetadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
