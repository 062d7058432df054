import Foundation
import Crypto
import StratusCore

/// What a token carries: enough to authorize a request without the database.
struct TokenPayload: Codable, Sendable, Equatable {
    var userId: String
    var userDomainId: String
    var methods: [String]
    var projectId: String?
    var domainId: String?
    var roles: [String]
    var auditIds: [String]
    var issuedAt: Int64
    var expiresAt: Int64

    enum CodingKeys: String, CodingKey {
        case userId = "u", userDomainId = "ud", methods = "m", projectId = "p", domainId = "d", roles = "r"
        case auditIds = "a", issuedAt = "i", expiresAt = "e"
    }
}

/// Seals payloads into opaque tokens with AES-GCM: `base64url(version | key id | nonce | ciphertext | tag)`.
///
/// The version byte and key id are authenticated as associated data; a token sealed by a key no longer on the
/// ring, altered in any bit, or not a token at all fails to open.
struct TokenCodec: Sendable {
    static let version: UInt8 = 1
    /// The longest token sealed or opened (role names make tokens grow).
    static let maxLength = 8192
    let ring: TokenKeyRing

    func seal(_ payload: TokenPayload) throws -> String {
        let (id, key) = ring.primary
        let header = Self.header(keyId: id)
        let plaintext = try JSONEncoder().encode(payload)
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: header)
        guard let combined = box.combined else { throw StratusError.unavailable("cannot seal token") }
        let token = Self.base64url(header + combined)
        guard token.utf8.count <= Self.maxLength else {
            throw StratusError.badRequest("The token would be longer than \(Self.maxLength) bytes: too many roles on this scope.")
        }
        return token
    }

    /// The payload, or nil when the token is not one this ring sealed.
    func open(_ token: String) -> TokenPayload? {
        guard token.utf8.count <= Self.maxLength, let data = Self.unbase64url(token), data.count > 5 + 12 + 16,
            data[data.startIndex] == Self.version
        else { return nil }
        let keyId = data[data.startIndex + 1..<data.startIndex + 5].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard let key = ring.keys[keyId],
            let box = try? AES.GCM.SealedBox(combined: data.dropFirst(5)),
            let plaintext = try? AES.GCM.open(box, using: key, authenticating: Self.header(keyId: keyId))
        else { return nil }
        return try? JSONDecoder().decode(TokenPayload.self, from: plaintext)
    }

    static func header(keyId: UInt32) -> Data {
        Data([version, UInt8(keyId >> 24), UInt8(keyId >> 16 & 0xff), UInt8(keyId >> 8 & 0xff), UInt8(keyId & 0xff)])
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func unbase64url(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }
}
