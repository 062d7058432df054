/// Where a guest's console listens on its compute host: what the console proxy connects to.
public struct RemoteConsole: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable {
        /// The guest's screen, as an RFB (VNC) server.
        case vnc
        /// The guest's first serial port, as a byte stream.
        case serial
    }

    public enum Address: Sendable, Codable, Equatable {
        /// A unix socket on the compute host (the QEMU driver's, never a network port).
        case unix(path: String)
        case tcp(host: String, port: Int)
    }

    public var kind: Kind
    public var address: Address

    public init(kind: Kind, address: Address) {
        self.kind = kind
        self.address = address
    }
}
