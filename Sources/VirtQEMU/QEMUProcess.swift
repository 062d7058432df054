internal import Foundation
import Virt

/// A daemonized QEMU: the pid it wrote to its pid file.
public struct QEMUProcess: Sendable, Equatable {
    public let pid: Int32

    /// Starts QEMU and returns once it has daemonized (its guest is then starting). Throws `DriverError.failed`
    /// with QEMU's error output when it refuses to start.
    public static func launch(_ commandLine: QEMUCommandLine) async throws -> QEMUProcess {
        if let relative = commandLine.paths.first(where: { !$0.hasPrefix("/") }) {
            throw DriverError.failed("QEMU needs absolute paths (it runs in /): \(relative)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [commandLine.executable] + commandLine.arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        // With -daemonize the started process exits once the guest runs; the daemon has /dev/null as its stdio by then.
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: DriverError.failed("cannot run \(commandLine.executable): \(error)"))
            }
        }
        let output = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard status == 0 else {
            throw DriverError.failed("\(commandLine.executable) exited with status \(status): \(output)")
        }
        let pidText = (try? String(contentsOfFile: commandLine.pidFile, encoding: .utf8)) ?? ""
        guard let pid = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DriverError.failed("\(commandLine.executable) wrote no pid to \(commandLine.pidFile)")
        }
        return QEMUProcess(pid: pid)
    }

    /// Whether the process still runs (an exited one that nobody has reaped yet does not count).
    public var isRunning: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[afterName.upperBound...].first != "Z"
    }
}
