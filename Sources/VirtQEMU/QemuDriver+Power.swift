internal import Foundation
public import StratusCore
import Virt

/// Power actions, over the guest's QMP socket.
extension QemuDriver {
    /// Nova's soft stop: the ACPI power button, up to `powerOffTimeout` for the guest to go, then QEMU is quit.
    /// A suspended guest runs no QEMU already: it stays suspended (a soft delete or shelve of it goes on), and a
    /// power-on resumes it.
    public func powerOff(_ instance: InstanceID) async throws {
        let files = try existing(instance)
        guard let process = process(files) else {
            guard isSuspended(files) else { throw DriverError.invalidPowerState(instance, .shutdown, "power off") }
            return
        }
        try await shutDown(process, files: files)
    }

    /// Starts QEMU again on the guest's disk; a suspended guest is resumed from its saved state.
    public func powerOn(_ instance: InstanceID) async throws {
        let files = try existing(instance)
        guard process(files) == nil else { throw DriverError.invalidPowerState(instance, await powerState(instance), "power on") }
        if isSuspended(files) { return try await resume(instance) }
        let guest = try readGuest(files)
        try await limiter.run { try await start(guest, files: files) }
    }

    /// Hard: a reset of the machine (or a start, when it is off; a suspended guest's saved state is discarded, as
    /// Nova's hard reboot drops a managed save). Soft: QMP has no ACPI reboot, so a power-off (the guest shuts down
    /// cleanly) and a start.
    public func reboot(_ instance: InstanceID, hard: Bool) async throws {
        let files = try existing(instance)
        guard let process = process(files) else {
            guard hard else { throw DriverError.invalidPowerState(instance, stoppedState(files), "reboot") }
            if isSuspended(files) { try FileManager.default.removeItem(atPath: files.savedState) }
            return try await powerOn(instance)
        }
        if hard {
            try await qmp(files) { qmp in
                try await qmp.execute("system_reset")
                if try await qmp.runStatus() != "running" { try await qmp.execute("cont") }
            }
            return
        }
        let status = try await runStatus(files)
        guard status == "running" else { throw DriverError.invalidPowerState(instance, Self.powerState(runStatus: status), "reboot") }
        try await shutDown(process, files: files)
        try await powerOn(instance)
    }

    public func pause(_ instance: InstanceID) async throws {
        try await change(instance, from: "running", with: "stop", operation: "pause")
    }

    public func unpause(_ instance: InstanceID) async throws {
        try await change(instance, from: "paused", with: "cont", operation: "unpause")
    }


    /// An NMI, which makes a Linux guest's kernel dump (or panic).
    public func triggerCrashDump(_ instance: InstanceID) async throws {
        try await change(instance, from: "running", with: "inject-nmi", operation: "trigger a crash dump of")
    }

    // MARK: Helpers

    /// Runs `command` when the guest's run state is `from`; otherwise `invalidPowerState`.
    private func change(_ instance: InstanceID, from expected: String, with command: String, operation: String) async throws {
        let files = try existing(instance)
        guard process(files) != nil else { throw DriverError.invalidPowerState(instance, .shutdown, operation) }
        try await qmp(files) { qmp in
            let status = try await qmp.runStatus()
            guard status == expected else { throw DriverError.invalidPowerState(instance, Self.powerState(runStatus: status), operation) }
            try await qmp.execute(command)
        }
    }

    /// Stops the guest: the ACPI power button when it runs (a paused guest cannot answer it), waiting at most
    /// `powerOffTimeout` for it to power itself off; then `quit`, then SIGKILL.
    func shutDown(_ process: QEMUProcess, files: InstanceFiles) async throws {
        let pressed = try? await qmp(files) { qmp in
            guard try await qmp.runStatus() == "running" else { return false }
            try await qmp.execute("system_powerdown")
            return true
        }
        if pressed == true, try await process.waitForExit(within: settings.powerOffTimeout) { return }
        try await quit(process, files: files)
    }

    /// QMP `quit`, and SIGKILL when QEMU is still there after a few seconds (or did not answer).
    func quit(_ process: QEMUProcess, files: InstanceFiles) async throws {
        try? await qmp(files, timeLimit: .seconds(5)) { qmp in _ = try await qmp.execute("quit", timeLimit: .seconds(5)) }
        if try await process.waitForExit(within: .seconds(10)) { return }
        try await process.killAndWait()
    }

    /// QMP's `query-status` `status` (`running`, `paused`, …).
    func runStatus(_ files: InstanceFiles) async throws -> String {
        try await qmp(files) { qmp in try await qmp.runStatus() }
    }

    /// Runs `body` on a QMP connection to the guest's QEMU; QMP failures become `DriverError.failed`.
    func qmp<Result: Sendable>(
        _ files: InstanceFiles, timeLimit: Duration = .seconds(10), _ body: (QMPClient) async throws -> Result
    ) async throws -> Result {
        do {
            return try await QMPClient.withConnection(socketPath: files.qmpSocket, timeLimit: timeLimit, body)
        } catch let error as QMPError {
            throw DriverError.failed("QEMU monitor (QMP) of \(files.directory): \(error)")
        }
    }
}

extension QMPClient {
    /// QMP's `query-status` `status`: the guest's run state (`running`, `paused`, `inmigrate`, …).
    func runStatus() async throws -> String {
        try await execute("query-status")["status"]?.stringValue ?? "unknown"
    }
}
