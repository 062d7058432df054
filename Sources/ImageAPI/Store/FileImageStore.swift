import Crypto
import Foundation
public import Hummingbird
import NIOCore
import NIOFileSystem
public import StratusCore

/// Image data as files `DIR/<id>`: uploads go to `DIR/.incoming/<id>.<random>` and are renamed into place
/// only when complete, with md5 and sha512 computed on the way. Memory stays bounded by the chunk size,
/// whatever the image's size.
public struct FileImageStore: ImageStore {
    let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    func path(_ id: ImageID) -> FilePath { FilePath(directory + "/" + id.rawValue) }

    public func write(_ id: ImageID, from body: RequestBody) async throws -> StoredImageData {
        let temporary = FilePath(directory + "/.incoming/" + id.rawValue + "." + UUIDHex.random())
        do {
            try await FileSystem.shared.createDirectory(
                at: FilePath(directory + "/.incoming"), withIntermediateDirectories: true, permissions: [.ownerReadWriteExecute]
            )
            var md5 = Insecure.MD5()
            var sha512 = SHA512()
            var size: Int64 = 0
            try await FileSystem.shared.withFileHandle(forWritingAt: temporary, options: .newFile(replaceExisting: false)) { handle in
                var writer = handle.bufferedWriter(capacity: .kibibytes(256))
                for try await chunk in body {
                    chunk.withUnsafeReadableBytes { bytes in
                        md5.update(bufferPointer: bytes)
                        sha512.update(bufferPointer: bytes)
                    }
                    size += Int64(chunk.readableBytes)
                    try await writer.write(contentsOf: chunk)
                }
                try await writer.flush()
            }
            guard size > 0 else { throw StratusError.badRequest("The image data is empty.") }
            try await FileSystem.shared.replaceItem(at: path(id), withItemAt: temporary)
            return StoredImageData(size: size, md5: Self.hex(md5.finalize()), sha512: Self.hex(sha512.finalize()))
        } catch {
            _ = try? await FileSystem.shared.removeItem(at: temporary)
            throw error
        }
    }

    public func size(of id: ImageID) async throws -> Int64? {
        try await FileSystem.shared.info(forFileAt: path(id)).map { $0.size }
    }

    public func read(_ id: ImageID, range: ClosedRange<Int64>?, into writer: inout any ResponseBodyWriter) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: path(id)) { handle in
            let chunks: FileChunks
            if let range {
                chunks = handle.readChunks(in: range.lowerBound..<(range.upperBound + 1), chunkLength: .kibibytes(256))
            } else {
                chunks = handle.readChunks(chunkLength: .kibibytes(256))
            }
            for try await chunk in chunks {
                try await writer.write(chunk)
            }
        }
    }

    public func delete(_ id: ImageID) async throws {
        _ = try await FileSystem.shared.removeItem(at: path(id))
    }

    static func hex(_ digest: some Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
