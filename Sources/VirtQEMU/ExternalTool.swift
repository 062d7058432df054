import Dispatch
internal import Foundation
import Virt

/// Runs the host's tools (`qemu-img`, `qemu-system-x86_64 --version`) to their end: one place that captures their
/// output and turns a failure into `DriverError.failed` with the tool's own error text.
enum ExternalTool {
    /// Runs `arguments[0]` (looked up on `PATH`) with the rest as arguments; returns its standard output. A tool that
    /// is missing, or exits with a non-zero status, throws `DriverError.failed` naming it and quoting its stderr.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        guard let tool = arguments.first else { throw DriverError.failed("no command to run") }
        guard let executable = find(tool) else { throw DriverError.failed("\(tool) is not installed (not found on PATH)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
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
        do { try process.run() } catch { throw DriverError.failed("cannot run \(tool): \(error)") }
        // Both pipes are drained while the tool runs, so a chatty tool never blocks on a full pipe.
        async let stdout = readToEnd(output.fileHandleForReading)
        async let stderr = readToEnd(errors.fileHandleForReading)
        var status: Int32 = -1
        for await code in exits { status = code }
        let (text, errorText) = await (stdout, stderr)
        guard status == 0 else {
            let message = errorText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DriverError.failed("\(tool) failed (exit status \(status)): \(message.isEmpty ? text : message)")
        }
        return text
    }

    /// The executable's full path, from `PATH` (or the name itself when it has a slash).
    static func find(_ tool: String) -> String? {
        if tool.contains("/") { return FileManager.default.isExecutableFile(atPath: tool) ? tool : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
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
