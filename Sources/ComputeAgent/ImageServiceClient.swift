public import Messaging
public import StratusCore

/// The compute host's door to the image service, as the user whose request it serves: images to boot from, and the
/// snapshots it takes.
public protocol ImageServiceClient: Sendable {
    /// The image's record, if the user may see it (the image service's not-found error otherwise).
    func image(_ image: ImageID, credentials: Credentials) async throws -> Image
    /// Writes the image's data to the new file `path`, verified against the checksum the image service recorded.
    func download(_ image: ImageID, to path: String, credentials: Credentials) async throws
    /// Stores the file as the data of the queued image, which becomes active.
    func upload(_ image: ImageID, file: String, credentials: Credentials) async throws
    /// Removes an image whose snapshot failed.
    func discard(_ image: ImageID, credentials: Credentials) async throws
}
