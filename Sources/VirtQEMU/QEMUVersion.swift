internal import Foundation

/// A QEMU release, as `qemu-system-x86_64 --version` and `qemu-img --version` print it.
public struct QEMUVersion: Sendable, Equatable, CustomStringConvertible {
    public var major: Int
    public var minor: Int
    public var micro: Int

    public init(major: Int, minor: Int, micro: Int) {
        self.major = major
        self.minor = minor
        self.micro = micro
    }

    /// Reads the first `version X.Y[.Z]` of `--version` output, e.g. `QEMU emulator version 7.2.22 (Debian …)`.
    public init?(versionOutput: String) {
        guard let range = versionOutput.range(of: "version ") else { return nil }
        let numbers = versionOutput[range.upperBound...].prefix { $0.isNumber || $0 == "." }.split(separator: ".").compactMap { Int($0) }
        guard numbers.count >= 2 else { return nil }
        self.init(major: numbers[0], minor: numbers[1], micro: numbers.count > 2 ? numbers[2] : 0)
    }

    /// Nova's integer form (`hypervisor_version`): major * 1,000,000 + minor * 1,000 + micro.
    public var novaInteger: Int { major * 1_000_000 + minor * 1_000 + micro }

    public var description: String { "\(major).\(minor).\(micro)" }
}
