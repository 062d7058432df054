import Foundation
public import StratusCore
public import Virt

extension QemuDriver {
    /// The running guest's VNC or serial socket; a guest that is not running, or was started without the socket
    /// (by an older Stratus), has no console.
    public func remoteConsole(_ instance: InstanceID, kind: RemoteConsole.Kind) async throws -> RemoteConsole {
        let files = try existing(instance)
        let socket = kind == .vnc ? files.vncSocket : files.serialSocket
        guard process(files) != nil, FileManager.default.fileExists(atPath: socket) else {
            throw DriverError.failed("Instance \(instance) has no \(kind.rawValue) console: its guest is not running with one.")
        }
        return RemoteConsole(kind: kind, address: .unix(path: socket))
    }
}
