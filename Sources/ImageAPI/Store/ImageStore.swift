public import Hummingbird
public import StratusCore

/// What an upload produced: its size and digests, computed while streaming.
public struct StoredImageData: Sendable, Equatable {
    public let size: Int64
    /// md5 hex digest (Glance's `checksum`).
    public let md5: String
    /// sha512 hex digest (Glance's `os_hash_value` with `os_hash_algo` sha512).
    public let sha512: String
}

/// Where image data lives. The API never knows which backend; the compute host's image cache reads through it.
public protocol ImageStore: Sendable {
    /// Streams `body` into the store under `id`. Nothing is visible under `id` until the data is complete;
    /// on any error nothing is left behind.
    func write(_ id: ImageID, from body: RequestBody) async throws -> StoredImageData
    /// The size of the stored data, or nil when there is none.
    func size(of id: ImageID) async throws -> Int64?
    /// Writes `range` of the stored data (all of it when nil) to `writer`.
    func read(_ id: ImageID, range: ClosedRange<Int64>?, into writer: inout any ResponseBodyWriter) async throws
    /// Removes the data; no error when there is none.
    func delete(_ id: ImageID) async throws
}
