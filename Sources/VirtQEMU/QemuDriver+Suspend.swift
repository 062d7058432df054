internal import Foundation
public import StratusCore
import Virt

/// Suspend to a file and resume from it: Nova's libvirt "managed save", done with QEMU's migration to and from a file.
extension QemuDriver {
    /// How long saving or restoring a guest's state may take (a TCG guest's RAM goes at several hundred MB/s).
    static let stateTransferLimit = Duration.seconds(600)

    /// Saves the running (or paused) guest's RAM and device state to `state.save` in its directory and quits QEMU.
    /// The guest is stopped first, so its state is written in one pass. QEMU 7.2 has no `file:` migration URI, so the
    /// stream goes through `cat`; the shell renames the file only once `cat` has written all of it, so `state.save`
    /// exists only whole. On failure the guest runs on as it was.
    public func suspend(_ instance: InstanceID) async throws {
        let files = try existing(instance)
        guard let process = process(files) else { throw DriverError.invalidPowerState(instance, stoppedState(files), "suspend") }
        try? FileManager.default.removeItem(atPath: files.savingState)
        try await qmp(files) { qmp in
            let status = try await qmp.runStatus()
            guard status == "running" || status == "paused" else {
                throw DriverError.invalidPowerState(instance, Self.powerState(runStatus: status), "suspend")
            }
            if status == "running" { try await qmp.execute("stop") }
            do {
                // The default limit (128 MiB/s) is for live migration over a network; a stopped guest goes at full speed.
                try await qmp.execute("migrate-set-parameters", arguments: ["max-bandwidth": .int(Int.max)])
                let save = Self.shellQuoted(files.savingState)
                try await qmp.execute("migrate", arguments: ["uri": .string("exec:cat > \(save) && mv \(save) \(Self.shellQuoted(files.savedState))")])
                try await waitForSave(qmp, files: files)
            } catch {
                if status == "running" { _ = try? await qmp.execute("cont") }
                try? FileManager.default.removeItem(atPath: files.savingState)
                throw error
            }
        }
        try await quit(process, files: files)
    }

    /// Starts QEMU on the saved state (`-incoming`), waits until it is loaded, lets the guest run on and deletes the
    /// state. A state QEMU cannot load is kept (a hard reboot discards it and boots the guest afresh).
    public func resume(_ instance: InstanceID) async throws {
        let files = try existing(instance)
        guard process(files) == nil, isSuspended(files) else { throw DriverError.invalidPowerState(instance, await powerState(instance), "resume") }
        let guest = try readGuest(files)
        try await limiter.run { try await start(guest, files: files, incoming: "exec:cat \(Self.shellQuoted(files.savedState))") }
        do {
            try await qmp(files) { qmp in
                let deadline = ContinuousClock.now + Self.stateTransferLimit
                var status = try await qmp.runStatus()
                while status == "inmigrate" {
                    guard ContinuousClock.now < deadline else {
                        throw DriverError.failed("QEMU did not load the saved state of instance \(instance) within \(Self.stateTransferLimit)")
                    }
                    try await Task.sleep(for: .milliseconds(50))
                    status = try await qmp.runStatus()
                }
                guard status == "paused" || status == "running" else {
                    throw DriverError.failed("QEMU is \(status), not paused, after loading the saved state of instance \(instance)")
                }
                if status == "paused" { try await qmp.execute("cont") }
            }
        } catch {
            if let process = process(files) { try? await process.killAndWait() }
            throw error
        }
        try FileManager.default.removeItem(atPath: files.savedState)
    }

    /// Whether the guest is suspended: its state saved, no QEMU running.
    func isSuspended(_ files: InstanceFiles) -> Bool {
        FileManager.default.fileExists(atPath: files.savedState)
    }

    /// The power state of a guest whose QEMU does not run.
    func stoppedState(_ files: InstanceFiles) -> PowerState {
        isSuspended(files) ? .suspended : .shutdown
    }

    /// Polls `query-migrate` until the save is done and `state.save` is there (or the migration failed).
    private func waitForSave(_ qmp: QMPClient, files: InstanceFiles) async throws {
        let deadline = ContinuousClock.now + Self.stateTransferLimit
        while true {
            let migration = try await qmp.execute("query-migrate")
            switch migration["status"]?.stringValue {
            case "failed", "cancelled":
                let reason = migration["error-desc"]?.stringValue ?? "no reason given"
                throw DriverError.failed("QEMU could not save the state of \(files.directory): \(reason)")
            case "completed" where isSuspended(files):
                return
            default:
                guard ContinuousClock.now < deadline else {
                    _ = try? await qmp.execute("migrate_cancel")
                    throw DriverError.failed("QEMU did not save the state of \(files.directory) within \(Self.stateTransferLimit)")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// `text` as one word for `/bin/sh`, which runs QEMU's `exec:` migration commands.
    static func shellQuoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
