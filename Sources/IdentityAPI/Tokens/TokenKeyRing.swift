import Foundation
public import Crypto
import StratusCore

/// The keys that seal tokens: the newest seals, every one opens, so tokens survive a rotation until they expire.
///
/// On disk they are files `KEYDIR/<n>` (base64 of 32 random bytes, mode 0600), as Keystone's fernet keys:
/// any Stratus process with the directory can validate tokens without asking the database.
public struct TokenKeyRing: Sendable {
    public let keys: [UInt32: SymmetricKey]

    public init(keys: [UInt32: SymmetricKey]) {
        precondition(!keys.isEmpty, "a key ring needs a key")
        self.keys = keys
    }

    /// The key new tokens are sealed with: the highest numbered.
    public var primary: (id: UInt32, key: SymmetricKey) {
        let id = keys.keys.max()!
        return (id, keys[id]!)
    }

    /// A ring with one fresh key, kept in memory (tests).
    public static func ephemeral() -> TokenKeyRing {
        TokenKeyRing(keys: [1: SymmetricKey(size: .bits256)])
    }

    /// Loads the keys in `directory`, creating it with a first key when it has none.
    public static func load(directory: String) throws -> TokenKeyRing {
        let files = FileManager.default
        try files.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var keys: [UInt32: SymmetricKey] = [:]
        for name in try files.contentsOfDirectory(atPath: directory) {
            guard let id = UInt32(name) else { continue }
            keys[id] = try key(id, in: directory)
        }
        if keys.isEmpty {
            keys[1] = try key(1, in: directory)
        }
        return TokenKeyRing(keys: keys)
    }

    /// Adds a new primary key to `directory` and removes the oldest beyond `keep`; returns the new key's number.
    @discardableResult
    public static func rotate(directory: String, keep: Int = 3) throws -> UInt32 {
        let ring = try load(directory: directory)
        let next = ring.primary.id + 1
        _ = try key(next, in: directory)
        let ids = (Array(ring.keys.keys) + [next]).sorted(by: >)
        for old in ids.dropFirst(max(keep, 2)) {
            try FileManager.default.removeItem(atPath: directory + "/\(old)")
        }
        return next
    }

    /// Key `id`, made when it is not there yet (by this process or a concurrent one).
    private static func key(_ id: UInt32, in directory: String) throws -> SymmetricKey {
        SymmetricKey(data: try SecretFile.key(at: directory + "/\(id)"))
    }
}
