import Foundation
import StratusCore
import Testing

@Suite struct SecretFileTests {
    @Test func processesRacingToCreateAKeyAllGetTheOneThatWasKept() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/key"
        let keys = try await withThrowingTaskGroup(of: Data.self) { group in
            for _ in 0..<16 { group.addTask { try SecretFile.key(at: path) } }
            return try await group.reduce(into: Set<Data>()) { $0.insert($1) }
        }
        #expect(keys.count == 1)
        #expect(keys.first?.count == 32)
        #expect(try SecretFile.key(at: path) == keys.first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["key"])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func aFileThatIsNotAKeyIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("secret-\(UUID().uuidString)").path
        try Data("not a key".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: SecretFileError.self) { try SecretFile.key(at: path) }
    }
}
