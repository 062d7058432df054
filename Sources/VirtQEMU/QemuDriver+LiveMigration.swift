internal import Foundation
public import StratusCore
public import Virt

/// Live migration: QEMU's own migration over TCP between the hosts, with block migration of the guest's local disks
/// (the root overlay, ephemeral and swap disks; the destination builds its overlay on the same image from its own
/// cache, so only the overlay's blocks travel). The config drive is made again on the destination from the same spec.
extension QemuDriver {
    /// How long a migration may take before it is given up (the guest then runs on at the source).
    static let migrationLimit = Duration.seconds(600)

    /// Builds the guest as `spawn` does and starts QEMU listening on `settings.migrationAddress` for its state.
    public func prepareIncomingMigration(_ guest: GuestSpec) async throws -> String {
        guard guest.volumes.isEmpty else {
            throw DriverError.unsupported("live migration of a guest with volumes (the QEMU driver would copy them onto themselves)")
        }
        let uri = "tcp:\(settings.migrationAddress):\(try LoopbackPort.pick(on: settings.migrationAddress))"
        try await create(guest, incoming: uri)
        return uri
    }

    /// Block migration (`block` capability, incremental: the overlay only) to `destination`; QEMU stops the guest
    /// here once the destination has everything. A failed or timed-out migration is cancelled and the guest runs on.
    public func migrate(_ instance: InstanceID, to destination: String) async throws {
        let files = try existing(instance)
        guard process(files) != nil else { throw DriverError.invalidPowerState(instance, stoppedState(files), "live-migrate") }
        guard try readGuest(files).volumes.isEmpty else {
            throw DriverError.unsupported("live migration of a guest with volumes (the QEMU driver would copy them onto themselves)")
        }
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
                    throw DriverError.failed("The live migration of instance \(instance) failed: \(migration["error-desc"]?.stringValue ?? "no reason given")")
                default:
                    guard ContinuousClock.now < deadline else {
                        _ = try? await qmp.execute("migrate_cancel")
                        throw DriverError.failed("The live migration of instance \(instance) did not end within \(Self.migrationLimit)")
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
        }
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
            guard status == "running" || status == "paused" else {
                throw DriverError.failed("QEMU is \(status), not running, after receiving instance \(instance)")
            }
        }
    }
}
