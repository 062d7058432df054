import Foundation
public import Messaging
public import StratusCore
import Virt

/// The images a compute host boots from, as files `<directory>/<image-id>`: each downloaded once from the image service
/// (which verifies it against its recorded checksum), then shared read-only by every guest booted from it. Boots of
/// one image that come together wait for a single download. Images no guest uses are removed once unused for long
/// enough (`removeUnused`), as Nova's image cache manager does.
public actor ImageCache {
    public nonisolated let directory: String
    /// When images are used, for their age.
    private let clock: any WallClock
    /// Images being downloaded, with the boots waiting for them.
    private var downloading: [ImageID: [CheckedContinuation<Void, Never>]] = [:]
    /// Images fetched for boots that have not released them yet (their guests' disks may not exist yet), with how many.
    private var leased: [ImageID: Int] = [:]

    public init(directory: String, clock: any WallClock = SystemWallClock()) {
        self.directory = directory
        self.clock = clock
    }

    /// The cached file of `id` and the image's disk format, leased until `release(_:)`: the cleanup leaves it alone
    /// meanwhile. The user must be allowed to see the image (asked of the image service at every boot, cached or
    /// not), and it must be active.
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
        leased[id, default: 0] += 1
        touch(path)
        return (path, image.diskFormat ?? "raw")
    }

    /// Ends a lease of `fetch`; the image counts as used until now.
    public func release(_ id: ImageID) {
        leased[id] = leased[id].flatMap { $0 > 1 ? $0 - 1 : nil }
        touch(directory + "/" + id.rawValue)
    }

    /// Nova's image cache manager: removes every cached file (images, and downloads left over by a crash) that no guest
    /// uses (`inUse`: the images of the host's guests' disks), no boot holds, and nothing has used for more than
    /// `maxAge` seconds. A file's modification time is when it was last used: set when it is fetched and
    /// released, and at each run for the images in use. Returns the names removed.
    @discardableResult
    public func removeUnused(inUse: Set<ImageID>, maxAge: Int) -> [String] {
        let now = clock.now()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var removed: [String] = []
        for name in names.sorted() {
            let path = directory + "/" + name
            let id = ImageID(name)
            if inUse.contains(id) || leased[id] != nil {
                touch(path)
                continue
            }
            if downloading.keys.contains(where: { name.hasPrefix(".incoming-" + $0.rawValue + "-") }) { continue }
            guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date,
                  now.timeIntervalSince(modified) > TimeInterval(maxAge) else { continue }
            if (try? FileManager.default.removeItem(atPath: path)) != nil { removed.append(name) }
        }
        return removed
    }

    /// Marks the file as used now.
    private func touch(_ path: String) {
        try? FileManager.default.setAttributes([.modificationDate: clock.now()], ofItemAtPath: path)
    }
}
