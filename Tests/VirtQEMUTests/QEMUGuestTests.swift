import Foundation
import Testing
import Virt
import VirtQEMU

/// Boots the real test guest (scripts/build-test-image.sh) under TCG and drives it over QMP.
@Suite("QEMU test guest")
struct QEMUGuestTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(.timeLimit(.minutes(5)))
    func bootsPausesResumesAndPowersDownOnTheACPIButton() async throws {
        guard Self.onPath("qemu-system-x86_64"), Self.onPath("qemu-img"), Self.onPath("genisoimage") else {
            Issue.record("qemu-system-x86_64, qemu-img or genisoimage is not installed: run scripts/install-test-deps.sh")
            return
        }
        let image = try await Self.run(["bash", Self.repository.appendingPathComponent("scripts/build-test-image.sh").path])
            .split(separator: "\n").last.map(String.init) ?? ""
        #expect(image.hasSuffix("stratus-test.qcow2"))

        // Short: a unix socket path must fit in 108 bytes.
        let directory = "/tmp/stratus-qemu-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        var process: QEMUProcess?
        defer {
            if let process, process.isRunning { kill(process.pid, SIGKILL) }
            try? FileManager.default.removeItem(atPath: directory)
        }
        try await Self.run(["qemu-img", "create", "-q", "-f", "qcow2", "-b", image, "-F", "qcow2", "\(directory)/disk.qcow2"])
        let uuid = UUID().uuidString.lowercased()
        let metadata = "\(directory)/configdrive/openstack/latest"
        try FileManager.default.createDirectory(atPath: metadata, withIntermediateDirectories: true)
        try #"{"uuid": "\#(uuid)", "hostname": "qmp-test.novalocal", "name": "qmp-test"}"#
            .write(toFile: "\(metadata)/meta_data.json", atomically: true, encoding: .utf8)
        try await Self.run(["genisoimage", "-quiet", "-J", "-r", "-V", "config-2", "-o", "\(directory)/config.iso", "\(directory)/configdrive"])
        try FileManager.default.removeItem(atPath: "\(directory)/configdrive")

        let commandLine = QEMUCommandLine(
            name: "qmp-test", accelerator: .tcg, memoryMB: 128, vcpus: 1,
            disk: "\(directory)/disk.qcow2", configDrive: "\(directory)/config.iso",
            qmpSocket: "\(directory)/qmp.sock", serialLog: "\(directory)/console.log", pidFile: "\(directory)/qemu.pid"
        )
        let started = ContinuousClock.now
        let qemu = try await QEMUProcess.launch(commandLine)
        process = qemu
        #expect(qemu.isRunning)

        try await QMPClient.withConnection(socketPath: commandLine.qmpSocket) { qmp throws in
            #expect(!qmp.greeting.version.contains("?"), "no version in \(qmp.greeting)")
            try await Self.waitForConsole(commandLine.serialLog, toShow: "STRATUS TEST GUEST 5", within: .seconds(120))
            print("QEMU test guest: banner \(ContinuousClock.now - started) after launch")
            #expect(try await qmp.execute("query-status")["status"] == "running")

            try await qmp.execute("stop")
            _ = try await qmp.nextEvent(named: "STOP", timeLimit: .seconds(10))
            #expect(try await qmp.execute("query-status")["status"] == "paused")
            try await qmp.execute("cont")
            _ = try await qmp.nextEvent(named: "RESUME", timeLimit: .seconds(10))
            #expect(try await qmp.execute("query-status")["status"] == "running")

            // The power button works once the guest's acpid runs, which is before it reports READY.
            let console = try await Self.waitForConsole(commandLine.serialLog, toShow: "STRATUS TEST GUEST READY", within: .seconds(120))
            print("QEMU test guest: ready \(ContinuousClock.now - started) after launch")
            #expect(console.contains("instance-uuid: \(uuid)"))
            #expect(console.contains("hostname: qmp-test.novalocal"))
            try await qmp.execute("system_powerdown")
            let shutdown = try await qmp.nextEvent(named: "SHUTDOWN", timeLimit: .seconds(60))
            #expect(shutdown.data == ["guest": true, "reason": "guest-shutdown"])
        }

        let deadline = ContinuousClock.now + .seconds(30)
        while qemu.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!qemu.isRunning, "QEMU still runs after the guest shut down")
        // QEMU removed its pid file and QMP socket; only what the test made is left.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["config.iso", "console.log", "disk.qcow2"])
    }

    @Test func launchRefusesRelativePaths() async throws {
        let commandLine = QEMUCommandLine(
            name: "x", accelerator: .tcg, memoryMB: 128, vcpus: 1,
            disk: "disk.qcow2", qmpSocket: "/tmp/q.sock", serialLog: "/tmp/c.log", pidFile: "/tmp/q.pid"
        )
        await #expect(throws: DriverError.failed("QEMU needs absolute paths (it runs in /): disk.qcow2")) {
            try await QEMUProcess.launch(commandLine)
        }
    }

    /// Polls the serial log until it shows `text`; returns the log.
    @discardableResult
    static func waitForConsole(_ path: String, toShow text: String, within limit: Duration) async throws -> String {
        let deadline = ContinuousClock.now + limit
        while true {
            let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if log.contains(text) { return log }
            try #require(ContinuousClock.now < deadline, "no \"\(text)\" on the serial console within \(limit); it shows:\n\(log.suffix(2000))")
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    static func onPath(_ command: String) -> Bool {
        (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(command)") }
    }

    /// Runs a command to its end; returns its standard output, or records its failure.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        let reader = Task { output.fileHandleForReading.readDataToEndOfFile() }
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        let text = String(decoding: await reader.value, as: UTF8.self)
        try #require(status == 0, "\(arguments.joined(separator: " ")) exited with \(status)")
        return text
    }
}
