public import Crypto
import Foundation
public import StratusCore

/// Signs and checks the instance id a metadata proxy forwards, as Nova's metadata API does:
/// `X-Instance-ID-Signature` is the hex HMAC-SHA256 of `X-Instance-ID` under a secret shared by the proxy and the API.
///
/// The secret lives in a file (base64 of 32 random bytes, mode 0600), created on first use, as the token keys are.
public struct MetadataSigner: Sendable {
    let secret: SymmetricKey

    public init(secret: SymmetricKey) {
        self.secret = secret
    }

    /// A signer with a fresh secret kept in memory (tests).
    public static func ephemeral() -> MetadataSigner {
        MetadataSigner(secret: SymmetricKey(size: .bits256))
    }

    /// The signer whose secret is in `file`, writing a new secret there when the file does not exist.
    public static func load(file: String) throws -> MetadataSigner {
        MetadataSigner(secret: SymmetricKey(data: try SecretFile.key(at: file)))
    }

    /// The signature a proxy sends for `instance`: 64 lowercase hex digits.
    public func signature(for instance: InstanceID) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(instance.rawValue.utf8), using: secret)
            .map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` (hex, either case) is `instance`'s; compared in constant time.
    public func isValid(_ signature: String, for instance: InstanceID) -> Bool {
        guard let code = Self.bytes(hex: signature) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(code, authenticating: Data(instance.rawValue.utf8), using: secret)
    }

    static func bytes(hex: String) -> [UInt8]? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
