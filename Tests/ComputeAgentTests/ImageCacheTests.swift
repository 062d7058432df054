import ComputeAgent
import Foundation
import Messaging
import StratusCore
import StratusTesting
import Testing

/// The host's image cache: leases, and the cleanup of images unused for longer than the maximum age, on a clock the
/// tests move (file ages are modification times the cache sets from that clock).
@Suite("Image cache")
struct ImageCacheTests {
    /// An image service whose every image is active, with a few bytes of data.
    struct Images: ImageServiceClient {
        func image(_ image: ImageID, credentials: Credentials) async throws -> Image {
            let now = Timestamp(Date())
            return Image(id: image, name: nil, owner: ProjectID("project"), status: .active, diskFormat: "qcow2", createdAt: now, updatedAt: now)
        }

        func download(_ image: ImageID, to path: String, credentials: Credentials) async throws {
            try Data("data of \(image)".utf8).write(to: URL(fileURLWithPath: path))
        }

        func upload(_ image: ImageID, file: String, credentials: Credentials) async throws {}
        func discard(_ image: ImageID, credentials: Credentials) async throws {}
    }

    static let credentials = Credentials(
        requestId: "req-1", token: "token", userId: UserID("user"), userDomainId: .defaultDomain, projectId: ProjectID("project"), roles: ["member"]
    )

    static func withCache(_ body: (ImageCache, ManualWallClock, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-image-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualWallClock()
        try await body(ImageCache(directory: directory, clock: clock), clock, directory)
    }

    static func cached(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    /// With no guest using anything and a maximum age of `seconds`: `name` is kept `seconds` on, removed one second
    /// later, and the cache is empty then.
    static func expectRemoved(_ name: String, after seconds: Int, cache: ImageCache, clock: ManualWallClock, directory: String) async throws {
        clock.advance(seconds: Double(seconds))
        #expect(await cache.removeUnused(inUse: [], maxAge: seconds).isEmpty, "\(name) was removed before it was \(seconds) s unused")
        clock.advance(seconds: 1)
        #expect(await cache.removeUnused(inUse: [], maxAge: seconds) == [name])
        #expect(try cached(directory).isEmpty)
    }

    @Test func removesWhatNoGuestHasUsedForLongerThanTheMaximumAge() async throws {
        try await Self.withCache { cache, clock, directory in
            for name in ["a", "b", "c"] {
                let fetched = try await cache.fetch(ImageID(name), from: Images(), credentials: Self.credentials)
                #expect(fetched.path == "\(directory)/\(name)" && fetched.diskFormat == "qcow2")
                await cache.release(ImageID(name))
            }
            // A download a crash left behind.
            let leftOver = "\(directory)/.incoming-d-0123"
            try Data("partial".utf8).write(to: URL(fileURLWithPath: leftOver))
            try FileManager.default.setAttributes([.modificationDate: clock.now()], ofItemAtPath: leftOver)

            clock.advance(seconds: 3600)
            #expect(await cache.removeUnused(inUse: [ImageID("a")], maxAge: 7200).isEmpty, "nothing is older than the maximum age yet")
            clock.advance(seconds: 3601)
            #expect(await cache.removeUnused(inUse: [ImageID("a")], maxAge: 7200) == [".incoming-d-0123", "b", "c"])
            #expect(try Self.cached(directory) == ["a"])

            // The image in use was marked used at the last run: its age counts from then once no guest uses it.
            try await Self.expectRemoved("a", after: 7200, cache: cache, clock: clock, directory: directory)
        }
    }

    @Test func keepsAnImageWhileABootHoldsIt() async throws {
        try await Self.withCache { cache, clock, directory in
            let image = ImageID("booting")
            _ = try await cache.fetch(image, from: Images(), credentials: Self.credentials)
            _ = try await cache.fetch(image, from: Images(), credentials: Self.credentials)
            clock.advance(seconds: 86_400 * 10)
            #expect(await cache.removeUnused(inUse: [], maxAge: 60).isEmpty, "a fetched image whose guest has no disk yet was removed")
            await cache.release(image)
            clock.advance(seconds: 61)
            #expect(await cache.removeUnused(inUse: [], maxAge: 60).isEmpty, "one boot still holds it")
            await cache.release(image)
            // Its age counts from the release.
            try await Self.expectRemoved("booting", after: 60, cache: cache, clock: clock, directory: directory)
        }
    }

    @Test func aBootOfACachedImageMarksItUsed() async throws {
        try await Self.withCache { cache, clock, directory in
            let image = ImageID("cached")
            _ = try await cache.fetch(image, from: Images(), credentials: Self.credentials)
            await cache.release(image)
            clock.advance(seconds: 100)
            _ = try await cache.fetch(image, from: Images(), credentials: Self.credentials)
            await cache.release(image)
            clock.advance(seconds: 60)
            #expect(await cache.removeUnused(inUse: [], maxAge: 90).isEmpty)
            #expect(try Self.cached(directory) == ["cached"])
        }
    }
}
