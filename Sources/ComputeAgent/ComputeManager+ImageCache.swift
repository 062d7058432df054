import Logging
import Virt

/// The periodic cleanup of the host's image cache.
extension ComputeManager {
    /// Nova's image cache manager run: removes the cached images that none of the host's guests is built on, no boot
    /// holds, and none has used for more than `maxAge` seconds. Returns the names removed (none without an image cache).
    @discardableResult
    public func removeUnusedImages(maxAge: Int) async throws -> [String] {
        guard let imageCache else { return [] }
        let inUse = try await driver.imagesInUse()
        let removed = await imageCache.removeUnused(inUse: inUse, maxAge: maxAge)
        if !removed.isEmpty { logger.info("compute \(host): removed unused cached images: \(removed.joined(separator: ", "))") }
        return removed
    }
}
