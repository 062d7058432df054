import Foundation
public import Messaging
public import StratusCore
import Virt

/// The images a compute host boots from, as files `<directory>/<image-id>`: each downloaded once from the image service
/// (which verifies it against its recorded checksum), then shared read-only by every guest booted from it. Boots of
/// one image that come together wait for a single download.
public actor ImageCache {
    public nonisolated let directory: String
    /// Images being downloaded, with the boots waiting for them.
    private var downloading: [ImageID: [CheckedContinuation<Void, Never>]] = [:]

    public init(directory: String) {
        self.directory = directory
    }

    /// The cached file of `id` and the image's disk format. The user must be allowed to see the image (asked of the
    /// image service at every boot, cached or not), and it must be active.
    public func fetch(_ id: ImageID, from images: any ImageServiceClient, credentials: Credentials) async throws -> (path: String, diskFormat: String) {
        let image = try await images.image(id, credentials: credentials)
        guard image.status == .active else { throw DriverError.failed("Image \(id) is not active (its status is \(image.status.rawValue)).") }
        let path = directory + "/" + id.rawValue
        while !FileManager.default.fileExists(atPath: path) {
            if downloading[id] != nil {
                await withCheckedContinuation { downloading[id]?.append($0) }
                continue  // the download may have failed: look again, and download it here if so
            }
            downloading[id] = []
            defer { for waiter in downloading.removeValue(forKey: id) ?? [] { waiter.resume() } }
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let incoming = directory + "/.incoming-" + id.rawValue + "-" + UUIDHex.random()
            do {
                try await images.download(id, to: incoming, credentials: credentials)
                try FileManager.default.moveItem(atPath: incoming, toPath: path)
            } catch {
                try? FileManager.default.removeItem(atPath: incoming)
                throw error
            }
        }
        return (path, image.diskFormat ?? "raw")
    }
}
