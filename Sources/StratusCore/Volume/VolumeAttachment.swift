/// One attachment of a volume to a server (Cinder's attachments API, as Nova drives it): reserved, then given a
/// connector (attaching, with connection info), then completed (attached); deleting it detaches.
public struct VolumeAttachment: Sendable, Codable, Equatable {
    /// How the compute host reaches the volume: Cinder's `connection_info`.
    public struct ConnectionInfo: Sendable, Codable, Equatable {
        /// `file`: the volume is a disk image file on the compute host's file system.
        public var driverVolumeType: String
        /// The absolute path of the volume's file.
        public var path: String
        /// The file's disk format (`qcow2`).
        public var format: String

        public init(driverVolumeType: String, path: String, format: String) {
            self.driverVolumeType = driverVolumeType
            self.path = path
            self.format = format
        }
    }

    public var id: AttachmentID
    public var volumeId: VolumeID
    public var projectId: ProjectID
    /// The server's UUID (Cinder's `instance_uuid`).
    public var instanceId: String?
    /// `reserved`, `attaching`, `attached` (Cinder's attachment `attach_status`).
    public var status: Volume.AttachStatus
    /// `rw` or `ro`.
    public var attachMode: String
    /// The connector's `host`: the compute host the volume is attached on.
    public var hostName: String?
    /// The device the guest sees it as (the connector's `mountpoint`).
    public var mountpoint: String?
    public var connectionInfo: ConnectionInfo?
    public var attachedAt: Timestamp?
    public var detachedAt: Timestamp?
    public var createdAt: Timestamp

    public init(
        id: AttachmentID, volumeId: VolumeID, projectId: ProjectID, instanceId: String?, status: Volume.AttachStatus, attachMode: String,
        hostName: String? = nil, mountpoint: String? = nil, connectionInfo: ConnectionInfo? = nil, attachedAt: Timestamp? = nil,
        detachedAt: Timestamp? = nil, createdAt: Timestamp
    ) {
        self.id = id
        self.volumeId = volumeId
        self.projectId = projectId
        self.instanceId = instanceId
        self.status = status
        self.attachMode = attachMode
        self.hostName = hostName
        self.mountpoint = mountpoint
        self.connectionInfo = connectionInfo
        self.attachedAt = attachedAt
        self.detachedAt = detachedAt
        self.createdAt = createdAt
    }
}
