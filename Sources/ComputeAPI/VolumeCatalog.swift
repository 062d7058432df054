public import StratusCore

/// The volume service as the compute API asks it, with the user's token: the volumes servers attach and the
/// attachments that reserve them (Cinder's API, 3.44+).
public protocol VolumeCatalog: Sendable {
    /// The volume's status (`available`, `in-use`, …) if the user may see it; nil when it does not exist for them.
    func volumeStatus(_ id: VolumeID, token: String) async throws -> String?
    /// Reserves the volume for the instance (`POST /attachments`): the volume becomes `reserved`.
    func createAttachment(volume: VolumeID, instance: InstanceID, token: String) async throws -> AttachmentID
    /// Deletes an attachment (the volume goes back to `available`); one that is gone already is not an error.
    func deleteAttachment(_ id: AttachmentID, token: String) async throws
    /// Deletes the volume (a server's `delete_on_termination` volume).
    func deleteVolume(_ id: VolumeID, token: String) async throws
}
