public import StratusCore

/// What a new volume's data comes from.
public enum VolumeSource: Sendable {
    /// Zeroes.
    case blank
    /// An image's data in its disk format (`qcow2`, `raw` ...): `write` puts it into a new file at the path it is given
    /// (the image service's data, checked on the way).
    case image(ImageID, diskFormat: String?, write: @Sendable (_ path: String) async throws -> Void)
    case snapshot(SnapshotID)
    case volume(VolumeID)
}

/// Where volumes and snapshots keep their data (Cinder's volume driver). The API and the worker call only this; a
/// backend's failure leaves nothing behind of what it was making.
public protocol VolumeBackend: Sendable {
    /// The backend's name, shown to admins as the volume's host (`stratus@NAME#NAME`).
    var name: String { get }
    /// Makes the volume's data: `size` GiB, filled from `source`.
    func create(_ volume: VolumeID, size: Int, from source: VolumeSource) async throws
    /// Grows the volume to `size` GiB.
    func extend(_ volume: VolumeID, to size: Int) async throws
    /// Copies the volume's data as it is now into a snapshot.
    func snapshot(_ snapshot: SnapshotID, of volume: VolumeID) async throws
    /// Removes the volume's data; removing data that is not there succeeds.
    func delete(_ volume: VolumeID) async throws
    func deleteSnapshot(_ snapshot: SnapshotID) async throws
    /// How a compute host reaches the volume.
    func connectionInfo(_ volume: VolumeID) -> VolumeAttachment.ConnectionInfo
}

/// A backend's failure, with what the operator needs to see in the log.
public struct VolumeBackendError: Error, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
