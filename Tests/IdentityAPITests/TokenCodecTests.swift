import Crypto
import Foundation
@testable import IdentityAPI
import StratusCore
import Testing

@Suite("TokenCodec and TokenKeyRing")
struct TokenCodecTests {
    static let payload = TokenPayload(
        userId: "0123456789abcdef0123456789abcdef", userDomainId: "default", methods: ["password"],
        projectId: "fedcba9876543210fedcba9876543210", domainId: nil, roles: ["admin", "member"],
        auditIds: ["AAAAAAAAAAAAAAAAAAAAAA"], issuedAt: 1_800_000_000_000_000, expiresAt: 1_800_003_600_000_000
    )

    static func ring(_ ids: [UInt32]) -> TokenKeyRing {
        TokenKeyRing(keys: Dictionary(uniqueKeysWithValues: ids.map { ($0, SymmetricKey(size: .bits256)) }))
    }

    @Test("seal then open gives the payload back")
    func roundTrip() throws {
        let codec = TokenCodec(ring: .ephemeral())
        let token = try codec.seal(Self.payload)
        #expect(codec.open(token) == Self.payload)
        // URL-safe, unpadded base64: travels in a header as is.
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(token.count < 400)
        // The payload is encrypted, not just signed.
        #expect(!token.contains("default"))
        let raw = try #require(TokenCodec.unbase64url(token))
        #expect(String(decoding: raw, as: UTF8.self).contains("admin") == false)
    }

    @Test("sealing the same payload twice gives different tokens (fresh nonce), both open")
    func freshNonce() throws {
        let codec = TokenCodec(ring: .ephemeral())
        let a = try codec.seal(Self.payload)
        let b = try codec.seal(Self.payload)
        #expect(a != b)
        #expect(codec.open(a) == Self.payload)
        #expect(codec.open(b) == Self.payload)
    }

    @Test("payloads without a project, with a domain, round-trip too")
    func domainPayload() throws {
        var payload = Self.payload
        payload.projectId = nil
        payload.domainId = "default"
        payload.methods = ["password", "token"]
        payload.auditIds = ["BBBBBBBBBBBBBBBBBBBBBB", "AAAAAAAAAAAAAAAAAAAAAA"]
        let codec = TokenCodec(ring: .ephemeral())
        #expect(codec.open(try codec.seal(payload)) == payload)
    }

    @Test("changing any one character of a token makes it fail to open")
    func tamper() throws {
        let codec = TokenCodec(ring: .ephemeral())
        let token = Array(try codec.seal(Self.payload))
        // The last character may carry only padding bits; every other one carries 6 bits of the sealed data.
        for index in [0, 1, 5, 6, 7, 20, token.count / 2, token.count - 20, token.count - 2] {
            var altered = token
            altered[index] = altered[index] == "A" ? "B" : "A"
            #expect(codec.open(String(altered)) == nil, "changed character \(index) still opens")
        }
        #expect(codec.open(String(token.dropLast(4))) == nil)
        #expect(codec.open(String(token) + "AAAA") == nil)
    }

    @Test("garbage is nil, never a crash", arguments: ["", "A", "garbage", "====", "-_-_", String(repeating: "A", count: 60), String(repeating: "A", count: 3000)])
    func garbage(token: String) {
        #expect(TokenCodec(ring: .ephemeral()).open(token) == nil)
    }

    @Test("a token with another version byte does not open")
    func wrongVersion() throws {
        let codec = TokenCodec(ring: .ephemeral())
        var raw = try #require(TokenCodec.unbase64url(try codec.seal(Self.payload)))
        raw[raw.startIndex] = 2
        #expect(codec.open(TokenCodec.base64url(raw)) == nil)
    }

    @Test("a token sealed with key 1 still opens after the ring gains key 2, which then seals")
    func rotationKeepsOldTokens() throws {
        let key1 = SymmetricKey(size: .bits256)
        let key2 = SymmetricKey(size: .bits256)
        let before = TokenCodec(ring: TokenKeyRing(keys: [1: key1]))
        let after = TokenCodec(ring: TokenKeyRing(keys: [1: key1, 2: key2]))
        let old = try before.seal(Self.payload)
        #expect(after.open(old) == Self.payload)
        #expect(after.ring.primary.id == 2)
        let new = try after.seal(Self.payload)
        #expect(after.open(new) == Self.payload)
        // A ring that only has key 1 cannot open what key 2 sealed.
        #expect(before.open(new) == nil)
        // Key 2 alone opens the new token but not the old one.
        let onlyTwo = TokenCodec(ring: TokenKeyRing(keys: [2: key2]))
        #expect(onlyTwo.open(new) == Self.payload)
        #expect(onlyTwo.open(old) == nil)
    }

    @Test("a ring without the sealing key gets nil, even with the same key id")
    func foreignRing() throws {
        let token = try TokenCodec(ring: Self.ring([1])).seal(Self.payload)
        #expect(TokenCodec(ring: Self.ring([1])).open(token) == nil)
        #expect(TokenCodec(ring: Self.ring([2, 3])).open(token) == nil)
    }

    @Test("a token's key id cannot be rewritten to make another key try it")
    func keyIdIsAuthenticated() throws {
        let key = SymmetricKey(size: .bits256)
        let codec = TokenCodec(ring: TokenKeyRing(keys: [1: key, 2: key]))
        var raw = try #require(TokenCodec.unbase64url(try codec.seal(Self.payload)))
        #expect(raw[raw.startIndex + 4] == 2)
        raw[raw.startIndex + 4] = 1
        #expect(codec.open(TokenCodec.base64url(raw)) == nil)
    }

    @Test("primary is the highest key id")
    func primary() {
        #expect(Self.ring([3, 1, 7, 2]).primary.id == 7)
        #expect(Self.ring([1]).primary.id == 1)
    }

    // MARK: keys on disk

    static func temporaryDirectory() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("stratus-keys-\(UUID().uuidString)").path
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return try #require(attributes[.posixPermissions] as? Int)
    }

    @Test("load on an empty directory creates key 1 with mode 0600")
    func loadCreatesFirstKey() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let ring = try TokenKeyRing.load(directory: directory)
        #expect(Array(ring.keys.keys) == [1])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["1"])
        #expect(try Self.mode(directory + "/1") == 0o600)
        #expect(try Self.mode(directory) & 0o077 == 0)
        let text = try String(contentsOfFile: directory + "/1", encoding: .utf8)
        #expect(Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines))?.count == 32)

        // Loading again reads the same key: a token sealed by the first load opens with the second.
        let token = try TokenCodec(ring: ring).seal(Self.payload)
        let again = try TokenKeyRing.load(directory: directory)
        #expect(TokenCodec(ring: again).open(token) == Self.payload)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["1"])
    }

    @Test("rotate makes 2 the primary; tokens of key 1 still open")
    func rotate() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TokenKeyRing.load(directory: directory)
        let token = try TokenCodec(ring: first).seal(Self.payload)
        let next = try TokenKeyRing.rotate(directory: directory)
        #expect(next == 2)
        let ring = try TokenKeyRing.load(directory: directory)
        #expect(ring.primary.id == 2)
        #expect(Set(ring.keys.keys) == [1, 2])
        #expect(try Self.mode(directory + "/2") == 0o600)
        #expect(TokenCodec(ring: ring).open(token) == Self.payload)
    }

    @Test("rotate with keep: 2, three times, leaves exactly the two newest keys")
    func rotateKeep() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try TokenKeyRing.load(directory: directory)
        for _ in 0..<3 { try TokenKeyRing.rotate(directory: directory, keep: 2) }
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(files == ["3", "4"])
        #expect(try TokenKeyRing.load(directory: directory).primary.id == 4)
    }

    @Test("rotate keeps 3 keys by default")
    func rotateDefaultKeep() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for _ in 0..<5 { try TokenKeyRing.rotate(directory: directory) }
        // load created 1, then 2...6; the three newest stay.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["4", "5", "6"])
    }

    @Test("a corrupt key file is an error, not a silent new key")
    func corruptKey() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "not a key".write(toFile: directory + "/1", atomically: true, encoding: .utf8)
        #expect(throws: SecretFileError.self) { try TokenKeyRing.load(directory: directory) }
    }

    @Test("files that are not key numbers are ignored")
    func strayFiles() throws {
        let directory = Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try "notes".write(toFile: directory + "/README", atomically: true, encoding: .utf8)
        let ring = try TokenKeyRing.load(directory: directory)
        #expect(Array(ring.keys.keys) == [1])
    }
}
