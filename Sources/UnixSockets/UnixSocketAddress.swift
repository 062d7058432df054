public import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The address of a unix socket whose path may take all of `sun_path` but its terminating zero (107 bytes on Linux):
/// NIO's `SocketAddress(unixDomainSocketPath:)` stops at 103, macOS's limit, which a guest's sockets in a data
/// directory the QEMU driver accepts may pass. The QEMU driver and the console proxy connect to those sockets.
public enum UnixSocketAddress {
    public struct PathTooLong: Error, CustomStringConvertible {
        public let path: String
        public let limit: Int
        public var description: String { "the unix socket path \(path) is longer than \(limit) bytes" }
    }

    public static func make(_ path: String) throws -> SocketAddress {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw PathTooLong(path: path, limit: MemoryLayout.size(ofValue: address.sun_path) - 1)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return SocketAddress(address)
    }
}
