import Crypto
import Foundation
public import HTTPSupport
import HTTPTypes
import Hummingbird
public import Logging
import NIOCore
import NIOFileSystem
public import ServiceClients
public import StratusCore

/// Image data to and from files of the same machine: what an in-process compute host asks of the image service.
extension ImageAPI {
    /// Writes the data of an active image the caller may see to the new file `path`, checked against the image's
    /// recorded sha512 (`os_hash_value`) and md5 (`checksum`) on the way: data that changed in the store is never
    /// handed out. The file is removed on any failure.
    public func writeData(_ id: ImageID, auth: AuthContext, to path: String) async throws {
        let image = try await visibleImage(id, auth: auth)
        guard image.status == .active else { throw StratusError.conflict("Image \(id) is not active (its status is \(image.status.rawValue)).") }
        guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600]),
            let handle = Foundation.FileHandle(forWritingAtPath: path)
        else { throw StratusError.conflict("Cannot create \(path) for the data of image \(id).") }
        let sink = HashingFileSink(handle: handle)
        do {
            var writer: any ResponseBodyWriter = HashingFileWriter(sink: sink)
            try await store.read(id, range: nil, into: &writer)
            try handle.close()
            let sha512 = FileImageStore.hex(sink.sha512.finalize())
            let md5 = FileImageStore.hex(sink.md5.finalize())
            guard image.osHashValue.map({ $0 == sha512 }) ?? true, image.checksum.map({ $0 == md5 }) ?? true, image.size.map({ $0 == sink.size }) ?? true
            else {
                throw StratusError.conflict("The data of image \(id) does not match its recorded size and checksums; it was changed or damaged in the store.")
            }
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: path)
            throw error
        }
    }

    /// Stores the file as the data of a queued image (a compute host's snapshot), streamed: never whole in memory.
    public func receiveData(_ id: ImageID, fromFile path: String, logger: Logger) async throws {
        try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
            let size = try await handle.info().size
            let body = RequestBody(asyncSequence: handle.readChunks(chunkLength: .kibibytes(256)))
            try await receiveData(id, from: body, declaredSize: size, logger: logger)
        }
    }
}

/// Where `HashingFileWriter` writes: the file and the digests so far.
private final class HashingFileSink {
    let handle: Foundation.FileHandle
    var md5 = Insecure.MD5()
    var sha512 = SHA512()
    var size: Int64 = 0

    init(handle: Foundation.FileHandle) {
        self.handle = handle
    }
}

/// A response body writer that writes into a local file and hashes what passes.
private struct HashingFileWriter: ResponseBodyWriter {
    let sink: HashingFileSink

    mutating func write(_ buffer: ByteBuffer) async throws {
        buffer.withUnsafeReadableBytes { bytes in
            sink.md5.update(bufferPointer: bytes)
            sink.sha512.update(bufferPointer: bytes)
        }
        sink.size += Int64(buffer.readableBytes)
        try sink.handle.write(contentsOf: Data(buffer.readableBytesView))
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
