/// A point-in-time copy of a volume (Cinder's snapshot), kept by the volume backend.
public struct VolumeSnapshot: Sendable, Codable, Equatable {
    /// Cinder's snapshot statuses.
    public enum Status: String, Sendable, Codable {
        case creating, available, deleting, error
        case errorDeleting = "error_deleting"
    }

    public var id: SnapshotID
    public var projectId: ProjectID
    public var userId: UserID
    public var volumeId: VolumeID
    public var name: String?
    public var description: String?
    /// GiB: the volume's size when it was taken.
    public var size: Int
    public var status: Status
    public var metadata: [String: String]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp?

    public init(
        id: SnapshotID, projectId: ProjectID, userId: UserID, volumeId: VolumeID, name: String?, description: String?, size: Int,
        status: Status = .creating, metadata: [String: String] = [:], createdAt: Timestamp, updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.projectId = projectId
        self.userId = userId
        self.volumeId = volumeId
        self.name = name
        self.description = description
        self.size = size
        self.status = status
        self.metadata = metadata
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
