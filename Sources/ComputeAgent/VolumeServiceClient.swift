public import Messaging
public import StratusCore

/// The compute host's door to the volume service, as the user whose request it serves: Cinder's attachments API
/// (microversion 3.44 and later), which the compute API reserved the attachment through.
public protocol VolumeServiceClient: Sendable {
    /// Creates a volume for a server's block device (`POST /volumes`): of `sizeGB`, from `image` or blank; it is
    /// `creating` until the volume service has written it.
    func createVolume(name: String, sizeGB: Int, image: ImageID?, credentials: Credentials) async throws -> VolumeID
    /// The volume's status (`creating`, `available`, `error`, …); nil when it does not exist for the user.
    func volumeStatus(_ volume: VolumeID, credentials: Credentials) async throws -> String?
    /// Reserves the volume for the instance (`POST /attachments`): the volume becomes `reserved`.
    func createAttachment(volume: VolumeID, instance: InstanceID, credentials: Credentials) async throws -> AttachmentID
    /// Gives the reserved attachment this host's connector (`{"host": …, "mountpoint": …}`, the mount point being the
    /// guest's device name, as Nova sends it); returns how the host reaches the volume (Cinder's `connection_info`).
    func updateAttachment(_ attachment: AttachmentID, host: String, mountpoint: String, credentials: Credentials) async throws -> VolumeConnection
    /// How this host reaches the volume of a connected attachment (`GET /attachments/{id}`'s `connection_info`): the
    /// destination of a move opens the same file, as volumes are on storage every host shares.
    func connection(of attachment: AttachmentID, credentials: Credentials) async throws -> VolumeConnection
    /// Marks the attachment done: the volume becomes `in-use` (`os-complete`).
    func completeAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws
    /// Deletes the attachment: the volume goes back to `available` (or stays `in-use` by its other attachments).
    func deleteAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws
    /// The volume service's attachments of the instance, in every project (`GET /attachments?instance_id=…`).
    func attachments(of instance: InstanceID, credentials: Credentials) async throws -> [VolumeServiceAttachment]
    /// Deletes the volume (one a deleted server had with `delete_on_termination`).
    func deleteVolume(_ volume: VolumeID, credentials: Credentials) async throws
}

/// An attachment as the volume service lists it.
public struct VolumeServiceAttachment: Sendable, Equatable {
    public var id: AttachmentID
    public var volumeId: VolumeID
    /// Cinder's attach status: `reserved` (no host has it yet), `attaching`, `attached`, `detaching`.
    public var status: String

    public init(id: AttachmentID, volumeId: VolumeID, status: String) {
        self.id = id
        self.volumeId = volumeId
        self.status = status
    }
}

/// Cinder's `connection_info` for the `file` connection type: a disk image file on the host.
public struct VolumeConnection: Sendable, Equatable {
    public var volumeId: VolumeID
    /// The volume's file (absolute).
    public var path: String
    /// `qcow2` or `raw`.
    public var format: String

    public init(volumeId: VolumeID, path: String, format: String) {
        self.volumeId = volumeId
        self.path = path
        self.format = format
    }
}
