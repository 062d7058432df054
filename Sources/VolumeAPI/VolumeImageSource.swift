public import HTTPSupport
public import ServiceClients
public import StratusCore

/// What the volume service asks of the image service for a volume made from an image.
public protocol VolumeImageSource: Sendable {
    /// The image if the caller may see it; the image service's 404 otherwise.
    func visibleImage(_ id: ImageID, auth: AuthContext) async throws -> Image
    /// Writes the data of an active image the caller may see into the new file `path`, checked against its checksums.
    func writeData(_ id: ImageID, auth: AuthContext, to path: String) async throws
}
