import Foundation
import GuestMetadata
import StratusCore
import Testing

@Suite struct MetadataSignerTests {
    @Test func signatureIsHexHMACAndChecks() {
        let signer = MetadataSigner.ephemeral()
        let id: InstanceID = "6f1f3f9a-0d2c-4b43-9a3e-2f6c6f1d2a10"
        let signature = signer.signature(for: id)
        #expect(signature.count == 64 && signature.allSatisfy(\.isHexDigit))
        #expect(signer.isValid(signature, for: id))
        #expect(signer.isValid(signature.uppercased(), for: id))
        #expect(!signer.isValid(signature, for: "another"))
        #expect(!signer.isValid(String(signature.dropLast()), for: id))
        #expect(!signer.isValid("zz" + signature.dropFirst(2), for: id))
        #expect(!MetadataSigner.ephemeral().isValid(signature, for: id))
    }

    @Test func secretFileIsCreatedPrivateAndReused() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-signer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/metadata-proxy-secret"
        let first = try MetadataSigner.load(file: file)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(try MetadataSigner.load(file: file).signature(for: "x") == first.signature(for: "x"))
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: file))
        #expect(throws: SecretFileError.self) { try MetadataSigner.load(file: file) }
    }
}
