public import Foundation

/// The QEMU test guest (scripts/build-test-image.sh): a 13 MB disk that prints `STRATUS TEST GUEST <n>`, its SMBIOS uuid
/// and `STRATUS TEST GUEST READY` on its serial console and powers off on the ACPI button.
public enum TestGuestImage {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The tools a test with real guests needs; those missing are named in the error, so such a test fails rather than skips.
    public static func requireQEMU() throws {
        let missing = ["qemu-system-x86_64", "qemu-img"].filter { !onPath($0) }
        guard missing.isEmpty else {
            throw TestCloudError.unexpected("\(missing.joined(separator: ", ")) not installed: run scripts/install-test-deps.sh")
        }
    }

    /// Builds the image unless it is cached (.cache/test-image) and returns its path.
    public static func path() async throws -> String {
        try requireQEMU()
        let script = repository.appendingPathComponent("scripts/build-test-image.sh").path
        let output = try await run(["bash", script])
        guard let path = output.split(separator: "\n").last.map(String.init), path.hasSuffix(".qcow2") else {
            throw TestCloudError.unexpected("build-test-image.sh printed no image path: \(output)")
        }
        return path
    }

    static func onPath(_ command: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
    }

    /// Runs a command to its end; returns its standard output, or throws with its status.
    @discardableResult
    public static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = {
            exited.yield($0.terminationStatus)
            exited.finish()
        }
        try process.run()
        let reader = Task.detached { output.fileHandleForReading.readDataToEndOfFile() }
        var status: Int32 = -1
        for await code in exits { status = code }
        let text = String(decoding: await reader.value, as: UTF8.self)
        guard status == 0 else { throw TestCloudError.unexpected("\(arguments.joined(separator: " ")) exited with \(status)") }
        return text
    }
}
