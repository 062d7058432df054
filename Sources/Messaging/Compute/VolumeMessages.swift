public import StratusCore

/// compute-api -> compute.<host>: attach the volume through the volume service's attachment `attachmentId`, which the
/// API created (the volume is `reserved`). A call: the API reports a failure, after which the attachment is deleted
/// again (the volume goes back to `available`).
public struct AttachVolume: RPCRequest {
    public typealias Reply = Done
    public static let method = "attach_volume"
    public var instanceId: InstanceID
    public var volumeId: VolumeID
    public var attachmentId: AttachmentID
    /// The device name the API gave the volume (`/dev/vdb`), which the volume service records as its mount point.
    public var device: String
    public var credentials: Credentials

    public init(instanceId: InstanceID, volumeId: VolumeID, attachmentId: AttachmentID, device: String, credentials: Credentials) {
        self.instanceId = instanceId
        self.volumeId = volumeId
        self.attachmentId = attachmentId
        self.device = device
        self.credentials = credentials
    }
}

/// compute-api -> compute.<host>: detach the volume from the guest and delete its attachment in the volume service
/// (the volume goes back to `available`). A call: a guest that does not let the disk go keeps it, and the API says so.
public struct DetachVolume: RPCRequest {
    public typealias Reply = Done
    public static let method = "detach_volume"
    public var instanceId: InstanceID
    public var volumeId: VolumeID
    public var attachmentId: AttachmentID
    public var credentials: Credentials

    public init(instanceId: InstanceID, volumeId: VolumeID, attachmentId: AttachmentID, credentials: Credentials) {
        self.instanceId = instanceId
        self.volumeId = volumeId
        self.attachmentId = attachmentId
        self.credentials = credentials
    }
}
