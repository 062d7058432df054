import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// The address of a unix socket whose path may take all of `sun_path` but its terminating zero (107 bytes on Linux):
/// NIO's `SocketAddress(unixDomainSocketPath:)` stops at 103, macOS's limit, which a guest's QMP socket in a data
/// directory the driver accepts may pass.
enum UnixSocketAddress {
    static func make(_ path: String) throws -> SocketAddress {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            throw QMPError.cannotConnect(socketPath: path, reason: "the path is longer than \(MemoryLayout.size(ofValue: address.sun_path) - 1) bytes")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return SocketAddress(address)
    }
}
