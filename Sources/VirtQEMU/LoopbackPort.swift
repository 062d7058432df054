import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TCP ports on 127.0.0.1 for the guests' forwards: whether one is free now, or one the kernel picks.
enum LoopbackPort {
    /// Whether a listener could bind 127.0.0.1:`port` now.
    static func isFree(_ port: Int) -> Bool {
        (1...Int(UInt16.max)).contains(port) && bind(UInt16(port)) != nil
    }

    /// A port free now, picked by the kernel; nobody holds it once this returns, so QEMU can take it.
    static func pick() throws -> Int {
        guard let port = bind(0) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE) }
        return port
    }

    /// Binds a TCP socket to 127.0.0.1:`port` (as QEMU's hostfwd does, with SO_REUSEADDR) and closes it again;
    /// the port it got, nil when the bind failed.
    private static func bind(_ port: UInt16) -> Int? {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                Glibc.bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
