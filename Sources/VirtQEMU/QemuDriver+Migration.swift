internal import Foundation
public import StratusCore
public import Virt

/// Moves to another host: QEMU's own migration over TCP between the hosts, with block migration of the guest's local
/// disks (the root overlay, ephemeral and swap disks; the destination builds its overlay on the same image from its
/// own cache, so only the overlay's blocks travel). The config drive is made again on the destination from the same
/// spec. A stopped guest (a cold migration) goes the same way, from a QEMU whose CPUs never start.
extension QemuDriver {
    /// How long a migration may take before it is given up (the guest is then as it was at the source).
    static let migrationLimit = Duration.seconds(600)

    /// Builds the guest as `spawn` does and starts QEMU listening on `settings.migrationAddress` for its state.
    public func prepareIncomingMigration(_ guest: GuestSpec) async throws -> String {
        guard guest.volumes.isEmpty else { throw Self.volumesRefused }
        let uri = "tcp:\(settings.migrationAddress):\(try LoopbackPort.pick(on: settings.migrationAddress))"
        try await create(guest, incoming: uri)
        return uri
    }

    /// Block migration (`block` capability, incremental: the overlay only) to `destination`; QEMU stops the guest here
    /// once the destination has everything. A stopped guest's QEMU is started frozen just to send its disks, and quit
    /// again. A failed or timed-out migration is cancelled and the guest is as it was.
    public func migrate(_ instance: InstanceID, to destination: String) async throws {
        let files = try existing(instance)
        let guest = try readGuest(files)
        guard guest.volumes.isEmpty else { throw Self.volumesRefused }
        guard process(files) == nil else { return try await send(instance, files: files, to: destination) }
        guard !isSuspended(files) else { throw DriverError.invalidPowerState(instance, .suspended, "migrate") }
        try await start(guest, files: files, frozen: true)
        do {
            try await send(instance, files: files, to: destination)
        } catch {
            if let frozen = process(files) { try? await quit(frozen, files: files) }
            throw error
        }
        if let frozen = process(files) { try await quit(frozen, files: files) }
    }

    /// Waits until the destination's QEMU has loaded the guest (it then runs on by itself, or stays paused as it was).
    public func finishIncomingMigration(_ instance: InstanceID) async throws {
        let files = try existing(instance)
        try await qmp(files) { qmp in
            let deadline = ContinuousClock.now + Self.migrationLimit
            var status = try await qmp.runStatus()
            while status == "inmigrate" {
                guard ContinuousClock.now < deadline else {
                    throw DriverError.failed("QEMU did not receive instance \(instance) within \(Self.migrationLimit)")
                }
                try await Task.sleep(for: .milliseconds(100))
                status = try await qmp.runStatus()
            }
            // A stopped guest's state comes from a QEMU that never started its CPUs: `prelaunch`, as it was.
            guard ["running", "paused", "prelaunch"].contains(status) else {
                throw DriverError.failed("QEMU is \(status), not running, after receiving instance \(instance)")
            }
        }
    }

    /// Volumes are files every host shares: block migration would copy them onto themselves.
    static let volumesRefused = DriverError.unsupported("moving a guest with volumes attached")

    /// Runs the migration on the guest's QEMU and polls `query-migrate` until it is over.
    private func send(_ instance: InstanceID, files: InstanceFiles, to destination: String) async throws {
        try await qmp(files) { qmp in
            try await qmp.execute("migrate-set-capabilities", arguments: [
                "capabilities": .array([.object(["capability": .string("block"), "state": .bool(true)])])
            ])
            try await qmp.execute("migrate-set-parameters", arguments: ["max-bandwidth": .int(Int.max), "block-incremental": .bool(true)])
            try await qmp.execute("migrate", arguments: ["uri": .string(destination)])
            let deadline = ContinuousClock.now + Self.migrationLimit
            while true {
                let migration = try await qmp.execute("query-migrate")
                switch migration["status"]?.stringValue {
                case "completed":
                    return
                case "failed", "cancelled":
                    throw DriverError.failed("Moving instance \(instance) failed: \(migration["error-desc"]?.stringValue ?? "no reason given")")
                default:
                    guard ContinuousClock.now < deadline else {
                        _ = try? await qmp.execute("migrate_cancel")
                        throw DriverError.failed("Moving instance \(instance) did not end within \(Self.migrationLimit)")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
    }
}
