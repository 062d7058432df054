import Foundation
@testable import IdentityAPI
import Testing

@Suite("PasswordHasher")
struct PasswordHasherTests {
    /// A low cost keeps the tests fast; the format and checks do not depend on it.
    let hasher = PasswordHasher(cost: 1 << 4)

    @Test("a hash verifies its password")
    func roundTrip() async throws {
        let stored = try await hasher.hash("correct horse battery staple")
        #expect(try await hasher.verify("correct horse battery staple", against: stored))
    }

    @Test("a wrong password does not verify")
    func wrongPassword() async throws {
        let stored = try await hasher.hash("correct horse battery staple")
        #expect(try await hasher.verify("correct horse battery stapl", against: stored) == false)
        #expect(try await hasher.verify("", against: stored) == false)
        #expect(try await hasher.verify("Correct horse battery staple", against: stored) == false)
    }

    @Test("verifying against nil (no user) is false, whatever the password")
    func decoy() async throws {
        #expect(try await hasher.verify("anything", against: nil) == false)
        #expect(try await hasher.verify("", against: nil) == false)
        // Not even the decoy's own (all-zero) material gets in.
        #expect(try await hasher.verify(String(repeating: "\0", count: 32), against: nil) == false)
    }

    @Test("two hashes of the same password differ (random salt) and both verify")
    func salted() async throws {
        let a = try await hasher.hash("same password")
        let b = try await hasher.hash("same password")
        #expect(a != b)
        #expect(try await hasher.verify("same password", against: a))
        #expect(try await hasher.verify("same password", against: b))
    }

    @Test("the stored form is scrypt$N$r$p$salt$hash")
    func storedForm() async throws {
        let stored = try await hasher.hash("pw")
        #expect(stored.hasPrefix("scrypt$"))
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 6)
        #expect(parts[1] == "16")
        #expect(parts[2] == "8")
        #expect(parts[3] == "1")
        #expect(Data(base64Encoded: String(parts[4]))?.count == 16)
        #expect(Data(base64Encoded: String(parts[5]))?.count == 32)
        #expect(!stored.contains("pw$"))
    }

    @Test("a hash made at one cost verifies with a hasher of another cost (cost is stored)")
    func costTravelsWithHash() async throws {
        let stored = try await PasswordHasher(cost: 1 << 5).hash("pw")
        #expect(stored.hasPrefix("scrypt$32$"))
        #expect(try await hasher.verify("pw", against: stored))
    }

    @Test("malformed stored hashes are false, not an error", arguments: [
        "", "scrypt", "scrypt$", "bcrypt$16$8$1$AAAA$AAAA", "scrypt$x$8$1$AAAA$AAAA", "scrypt$16$8$1$!!!$AAAA", "scrypt$16$8$1$AAAA",
        "plaintext-password",
    ])
    func malformed(stored: String) async throws {
        #expect(try await hasher.verify("plaintext-password", against: stored) == false)
    }

    @Test("constantTimeEqual compares content and length")
    func constantTimeEqual() {
        #expect(PasswordHasher.constantTimeEqual(Data([1, 2, 3]), Data([1, 2, 3])))
        #expect(!PasswordHasher.constantTimeEqual(Data([1, 2, 3]), Data([1, 2, 4])))
        #expect(!PasswordHasher.constantTimeEqual(Data([1, 2, 3]), Data([1, 2])))
        #expect(PasswordHasher.constantTimeEqual(Data(), Data()))
    }
}
