import Dispatch
import Foundation

/// One run of a host tool (`qemu-img`, `genisoimage`) to its end, waited for without holding a cooperative thread:
/// its exit status and both its outputs, drained while it runs so a chatty tool never blocks on a full pipe.
public struct ToolRun: Sendable {
    /// The tool is not on `PATH`.
    public struct Missing: Error, Sendable {
        public let tool: String
    }

    public let status: Int32
    public let output: String
    public let errors: String

    /// Runs `tool` (looked up on `PATH`, or a path) with `arguments`. Throws `Missing` when it is not found, and the
    /// launch error when it cannot be started.
    public static func run(_ tool: String, _ arguments: [String]) async throws -> ToolRun {
        guard let executable = find(tool) else { throw Missing(tool: tool) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = {
            exited.yield($0.terminationStatus)
            exited.finish()
        }
        try process.run()
        async let stdout = readToEnd(output.fileHandleForReading)
        async let stderr = readToEnd(errors.fileHandleForReading)
        var status: Int32 = -1
        for await code in exits { status = code }
        let (text, errorText) = await (stdout, stderr)
        return ToolRun(status: status, output: text, errors: errorText)
    }

    /// The executable's full path, from `PATH` (or the name itself when it has a slash).
    public static func find(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Reads a pipe on a dispatch thread, so a blocking read never holds one of the few cooperative threads.
    private static func readToEnd(_ handle: FileHandle) async -> String {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(returning: String(decoding: handle.readDataToEndOfFile(), as: UTF8.self))
            }
        }
    }
}
