import Foundation
import GuestMetadata
import Testing

/// Serialized: the first test checks that no staging directory is left, which a concurrent write would have.
@Suite(.serialized) struct ConfigDriveTests {
    /// Runs `isoinfo` (from the genisoimage package) and returns its stdout.
    func isoinfo(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/isoinfo")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }

    @Test func writesAnISOLabelledConfig2WithTheDocuments() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-drive-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let iso = directory + "/disk.config"
        let documents = try MetadataDocuments(for: sampleInstance())
        try await ConfigDrive.write(documents.configDriveFiles, to: iso)
        #expect(try isoinfo(["-d", "-i", iso]).contains("Volume id: config-2"))
        let meta = try isoinfo(["-R", "-x", "/openstack/latest/meta_data.json", "-i", iso])
        #expect(meta.contains("\"uuid\":\"6f1f3f9a-0d2c-4b43-9a3e-2f6c6f1d2a10\""))
        #expect(try isoinfo(["-R", "-x", "/openstack/latest/user_data", "-i", iso]) == "#!/bin/sh\necho hi")
        #expect(try isoinfo(["-R", "-x", "/ec2/latest/meta-data.json", "-i", iso]).contains("i-6f1f3f9a"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("stratus-config-drive-") }
        #expect(leftovers.isEmpty, "staging directories left behind: \(leftovers)")
    }

    @Test func aFailureCarriesGenisoimagesMessage() async throws {
        let error = await #expect(throws: ConfigDriveError.self) {
            try await ConfigDrive.write(["openstack/latest/meta_data.json": Array("{}".utf8)], to: "/nonexistent-dir/disk.config")
        }
        guard case .genisoimageFailed(let status, let stderr) = error else {
            Issue.record("expected genisoimage to fail, got \(String(describing: error))")
            return
        }
        #expect(status != 0)
        #expect(!stderr.isEmpty)
    }

    @Test func pathsLeavingTheDriveAreRefused() async throws {
        await #expect(throws: ConfigDriveError.invalidPath("../escape")) {
            try await ConfigDrive.write(["../escape": [1]], to: "/tmp/never-written.iso")
        }
    }
}
