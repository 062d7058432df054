import Foundation

/// One run of an external program found on `PATH`, waited for without blocking a thread.
struct ToolRun {
    let tool: String
    let arguments: [String]

    /// Runs the tool; returns its exit status and what it wrote to stderr. Throws `ToolMissing` when it is not on `PATH`.
    func run() async throws -> (status: Int32, stderr: String) {
        guard let executable = Self.find(tool) else { throw ToolMissing(tool: tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let stderr = Pipe()
        process.standardError = stderr
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let output = stderr.fileHandleForReading.readDataToEndOfFile()
        return (status, String(decoding: output, as: UTF8.self))
    }

    /// The executable `name` on `PATH` (or the usual system directories when `PATH` is unset).
    static func find(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

struct ToolMissing: Error {
    let tool: String
}
