import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// TCP ports for the guests' forwards (on 127.0.0.1) and incoming migrations: whether one is free now, or one the
/// kernel picks.
enum LoopbackPort {
    /// Whether a listener could bind 127.0.0.1:`port` now.
    static func isFree(_ port: Int) -> Bool {
        (1...Int(UInt16.max)).contains(port) && bind(UInt16(port)) != nil
    }

    /// A port of `ip` (IPv4) free now, picked by the kernel; nobody holds it once this returns, so QEMU can take it.
    static func pick(on ip: String = "127.0.0.1") throws -> Int {
        guard let port = bind(0, on: ip) else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EADDRINUSE) }
        return port
    }

    /// Binds a TCP socket to `ip`:`port` (as QEMU's hostfwd does, with SO_REUSEADDR) and closes it again;
    /// the port it got, nil when the bind failed.
    private static func bind(_ port: UInt16, on ip: String = "127.0.0.1") -> Int? {
        var host = in_addr()
        guard inet_pton(AF_INET, ip, &host) == 1 else { return nil }
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var on: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr = host
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                Glibc.bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
