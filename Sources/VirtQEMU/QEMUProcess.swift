import CSystemShims
internal import Foundation
import Virt

#if canImport(Glibc)
import Glibc
#endif

/// A daemonized QEMU: the pid it wrote to its pid file.
public struct QEMUProcess: Sendable, Equatable {
    public let pid: Int32

    /// Starts QEMU and returns once it has daemonized (its guest is then starting). Throws `DriverError.failed`
    /// with QEMU's error output when it refuses to start, or when it has not daemonized within `timeLimit`.
    ///
    /// Spawned directly rather than with Foundation's `Process`, which learns that a child exited from a socket
    /// the child inherits: the QEMU daemon would inherit it too, so the exit of the starting process went unseen.
    /// The daemon gets no descriptor of ours beyond /dev/null on 0 and 1 and the error pipe on 2 (which it
    /// replaces by /dev/null once it has daemonized).
    public static func launch(_ commandLine: QEMUCommandLine, timeLimit: Duration = .seconds(60)) async throws -> QEMUProcess {
        if let relative = commandLine.paths.first(where: { !$0.hasPrefix("/") }) {
            throw DriverError.failed("QEMU needs absolute paths (it runs in /): \(relative)")
        }
        var errorPipe: [Int32] = [-1, -1]
        guard stratus_pipe_cloexec(&errorPipe) == 0 else { throw DriverError.failed("pipe: \(Self.errnoText(errno))") }
        defer { close(errorPipe[0]) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        guard stratus_spawn_file_actions_close_from(&actions, 3) == 0 else {
            throw DriverError.failed("this C library cannot close descriptors for a spawned process")
        }
        let argv = ([commandLine.executable] + commandLine.arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawnp(&pid, commandLine.executable, &actions, nil, argv, environ)
        close(errorPipe[1])
        guard spawned == 0 else {
            throw DriverError.failed("cannot run \(commandLine.executable): \(Self.errnoText(spawned))")
        }

        // The started process exits once the daemon runs the guest: poll for that, with a deadline.
        var status: Int32 = 0
        let deadline = ContinuousClock.now + timeLimit
        while waitpid(pid, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                throw DriverError.failed("\(commandLine.executable) did not start within \(timeLimit)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        guard exitStatus == 0 else {
            let output = Self.readToEnd(errorPipe[0]).trimmingCharacters(in: .whitespacesAndNewlines)
            throw DriverError.failed("\(commandLine.executable) exited with status \(exitStatus): \(output)")
        }
        let pidText = (try? String(contentsOfFile: commandLine.pidFile, encoding: .utf8)) ?? ""
        guard let daemon = Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw DriverError.failed("\(commandLine.executable) wrote no pid to \(commandLine.pidFile)")
        }
        return QEMUProcess(pid: daemon)
    }

    /// Whether the process still runs (an exited one that nobody has reaped yet does not count).
    public var isRunning: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[afterName.upperBound...].first != "Z"
    }

    /// The QEMU whose pid `pidFile` holds, if it still runs and its command line contains `marker` (a path of its
    /// own guest): QEMU removes its pid file when it exits, but not when it is killed, and the pid may since belong to
    /// another process.
    public static func running(pidFile: String, commandLineContains marker: String) -> QEMUProcess? {
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
            let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0
        else { return nil }
        let process = QEMUProcess(pid: pid)
        guard process.isRunning, let arguments = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
            String(decoding: arguments, as: UTF8.self).contains(marker)
        else { return nil }
        return process
    }

    /// Polls until the process has exited (a zombie counts as exited); false when it still runs after `timeLimit`.
    public func waitForExit(within timeLimit: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeLimit
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// Sends SIGKILL and waits (at most 10 s) until the process is gone.
    public func killAndWait() async throws {
        guard isRunning else { return }
        _ = kill(pid, SIGKILL)
        guard try await waitForExit(within: .seconds(10)) else {
            throw DriverError.failed("QEMU process \(pid) did not exit after SIGKILL")
        }
    }

    private static func readToEnd(_ descriptor: Int32) -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func errnoText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
