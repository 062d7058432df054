import Foundation
import Crypto
import CryptoExtras
import NIOPosix

/// Hashes passwords with scrypt (per-user random salt) and checks them in constant time.
///
/// The stored form is `scrypt$N$r$p$SALT$HASH` (base64), so the cost can be raised later without
/// invalidating existing hashes. The KDF runs on NIO's thread pool, off the request threads.
public struct PasswordHasher: Sendable {
    /// scrypt's CPU/memory cost N (a power of two); 2^14 takes 16 MiB and tens of milliseconds.
    public let cost: Int
    let blockSize = 8
    let parallelism = 1
    /// A hash of nothing anyone knows, checked against when the user does not exist, so an unknown user
    /// costs the same time as a wrong password.
    private let decoy: String

    public init(cost: Int = 1 << 14) {
        self.cost = cost
        self.decoy = Self.encode(cost: cost, blockSize: 8, parallelism: 1, salt: Data(repeating: 0, count: 16), hash: Data(repeating: 0, count: 32))
    }

    /// A new hash of `password` with a fresh salt.
    public func hash(_ password: String) async throws -> String {
        var salt = Data(count: 16)
        salt.withUnsafeMutableBytes { buffer in
            var generator = SystemRandomNumberGenerator()
            for index in buffer.indices { buffer[index] = generator.next() }
        }
        let derived = try await derive(password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism)
        return Self.encode(cost: cost, blockSize: blockSize, parallelism: parallelism, salt: salt, hash: derived)
    }

    /// True when `password` matches `stored`. With `stored` nil (unknown user, or a user without a password)
    /// it does the same work against a decoy and returns false.
    public func verify(_ password: String, against stored: String?) async throws -> Bool {
        let parts = (stored ?? decoy).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "scrypt",
            let cost = Int(parts[1]), let blockSize = Int(parts[2]), let parallelism = Int(parts[3]),
            let salt = Data(base64Encoded: String(parts[4])), let expected = Data(base64Encoded: String(parts[5]))
        else { return false }
        let derived = try await derive(password, salt: salt, cost: cost, blockSize: blockSize, parallelism: parallelism)
        return Self.constantTimeEqual(derived, expected) && stored != nil
    }

    private func derive(_ password: String, salt: Data, cost: Int, blockSize: Int, parallelism: Int) async throws -> Data {
        try await NIOThreadPool.singleton.runIfActive {
            let key = try KDF.Scrypt.deriveKey(
                from: Data(password.utf8), salt: salt, outputByteCount: 32,
                rounds: cost, blockSize: blockSize, parallelism: parallelism
            )
            return key.withUnsafeBytes { Data($0) }
        }
    }

    private static func encode(cost: Int, blockSize: Int, parallelism: Int, salt: Data, hash: Data) -> String {
        "scrypt$\(cost)$\(blockSize)$\(parallelism)$\(salt.base64EncodedString())$\(hash.base64EncodedString())"
    }

    static func constantTimeEqual(_ lhs: Data, _ rhs: Data) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(lhs, rhs) { difference |= a ^ b }
        return difference == 0
    }
}
