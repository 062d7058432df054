/// What QEMU says first on a new QMP connection: its version and the capabilities it offers.
public struct QMPGreeting: Sendable, Equatable {
    /// `major.minor.micro` of the QEMU binary.
    public var version: String
    /// The distribution's package string, e.g. `Debian 1:7.2+dfsg-7+deb12u18+b3`.
    public var package: String
    /// Capabilities that can be negotiated (`oob`); Stratus enables none.
    public var capabilities: [String]
}
