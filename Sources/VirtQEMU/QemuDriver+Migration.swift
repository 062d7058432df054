internal import Foundation
public import StratusCore
public import Virt

/// Moves to another host, as Nova's libvirt driver makes them with local disks: the destination's QEMU waits for the
/// guest's state and serves its empty local disks over NBD; the source mirrors each local disk into them (the root
/// disk's overlay only: the destination builds its overlay on the same image from its own cache), in write-blocking
/// mode, so once every mirror is in step a guest write reaches both; then QEMU's migration moves RAM and devices over
/// TCP between the hosts. Volumes are files every host shares (the volume directory): both QEMUs open the same file,
/// the destination's only once it takes over (QEMU's image locking hands it over with the migration). The config drive
/// is made again on the destination from the same spec. A stopped guest (a cold migration) goes the same way, from a
/// QEMU whose CPUs never start.
extension QemuDriver {
    /// How long a migration may take before it is given up (the guest is then as it was at the source).
    static let migrationLimit = Duration.seconds(600)

    /// Where the source sends a guest: the destination QEMU's `-incoming` URI and its NBD server (`host:port`).
    struct MigrationTarget: Equatable {
        var uri: String
        var nbd: String

        var text: String { "\(uri) nbd:\(nbd)" }

        init(uri: String, nbd: String) {
            self.uri = uri
            self.nbd = nbd
        }

        init(_ text: String) throws {
            let parts = text.split(separator: " ")
            guard parts.count == 2, parts[0].hasPrefix("tcp:"), parts[1].hasPrefix("nbd:") else {
                throw DriverError.failed("'\(text)' is not a QEMU migration target of this driver")
            }
            self.init(uri: String(parts[0]), nbd: String(parts[1].dropFirst(4)))
        }
    }

    /// Builds the guest as `spawn` does, starts QEMU listening on `settings.migrationAddress` for its state, and exports
    /// its local disks over NBD on the same address for the source to mirror into.
    public func prepareIncomingMigration(_ guest: GuestSpec) async throws -> String {
        let address = settings.migrationAddress
        let uri = "tcp:\(address):\(try LoopbackPort.pick(on: address))"
        try await create(guest, incoming: uri)
        let files = try existing(guest.instanceId)
        do {
            let nbdPort = try LoopbackPort.pick(on: address)
            let drives = localDrives(try readGuest(files), files: files)
            try await qmp(files) { qmp in
                try await qmp.execute("nbd-server-start", arguments: [
                    "addr": ["type": "inet", "data": ["host": .string(address), "port": .string("\(nbdPort)")]]
                ])
                let nodes = try await qmp.execute("query-block")
                for drive in drives {
                    guard case .array(let devices) = nodes,
                        let node = devices.first(where: { $0["device"]?.stringValue == drive })?["inserted"]?["node-name"]?.stringValue
                    else { throw DriverError.failed("QEMU has no disk \(drive) for instance \(guest.instanceId)") }
                    try await qmp.execute("block-export-add", arguments: [
                        "type": "nbd", "id": .string(drive), "node-name": .string(node), "name": .string(drive), "writable": true,
                    ])
                }
            }
            return MigrationTarget(uri: uri, nbd: "\(address):\(nbdPort)").text
        } catch {
            try? await destroy(guest.instanceId)
            throw error
        }
    }

    /// Sends the guest to `destination` (`prepareIncomingMigration`'s answer); QEMU stops the guest here once the
    /// destination has everything. A stopped guest's QEMU is started frozen just to send it, and quit again. A failed
    /// or timed-out migration is cancelled and the guest is as it was.
    public func migrate(_ instance: InstanceID, to destination: String) async throws {
        let target = try MigrationTarget(destination)
        let files = try existing(instance)
        let guest = try readGuest(files)
        guard process(files) == nil else { return try await send(instance, guest, files: files, to: target) }
        guard !isSuspended(files) else { throw DriverError.invalidPowerState(instance, .suspended, "migrate") }
        try await start(guest, files: files, frozen: true)
        do {
            try await send(instance, guest, files: files, to: target)
        } catch {
            if let frozen = process(files) { try? await quit(frozen, files: files) }
            throw error
        }
        if let frozen = process(files) { try await quit(frozen, files: files) }
    }

    /// Waits until the destination's QEMU has loaded the guest (it then runs on by itself, or stays paused as it was),
    /// and stops serving its disks.
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
            _ = try await qmp.execute("nbd-server-stop")
        }
    }

    /// The drive ids of the guest's local disks, as its command line named them.
    private func localDrives(_ guest: StoredGuest, files: InstanceFiles) -> [String] {
        QEMUCommandLine.localDrives(
            rootDisk: !guest.volumes.contains(where: \.isRoot),
            extraDisks: [files.ephemeralDisk, files.swapDisk].filter { FileManager.default.fileExists(atPath: $0) }.count
        )
    }

    /// Mirrors the local disks into the destination's until they are in step, runs the migration, and polls until it
    /// is over; on failure cancels both, and the guest goes on here.
    private func send(_ instance: InstanceID, _ guest: StoredGuest, files: InstanceFiles, to target: MigrationTarget) async throws {
        let drives = localDrives(guest, files: files)
        try await qmp(files) { qmp in
            let deadline = ContinuousClock.now + Self.migrationLimit
            var mirrors: [String] = []
            do {
                for drive in drives {
                    try await qmp.execute("drive-mirror", arguments: [
                        "job-id": .string("mirror-\(drive)"), "device": .string(drive), "target": .string("nbd://\(target.nbd)/\(drive)"),
                        "format": "raw", "mode": "existing", "sync": "top", "copy-mode": "write-blocking",
                    ])
                    mirrors.append("mirror-\(drive)")
                }
                while true {
                    guard case .array(let jobs) = try await qmp.execute("query-block-jobs") else { break }
                    let running = jobs.filter { mirrors.contains($0["device"]?.stringValue ?? "") }
                    guard running.count == mirrors.count else {
                        throw DriverError.failed("Copying the disks of instance \(instance) to the destination stopped")
                    }
                    if running.allSatisfy({ $0["ready"] == .bool(true) }) { break }
                    try Self.check(deadline, instance)
                    try await Task.sleep(for: .milliseconds(100))
                }
                try await qmp.execute("migrate-set-parameters", arguments: ["max-bandwidth": .int(Int.max)])
                try await qmp.execute("migrate", arguments: ["uri": .string(target.uri)])
                while true {
                    let migration = try await qmp.execute("query-migrate")
                    switch migration["status"]?.stringValue {
                    case "completed":
                        // The guest stopped here in step with the destination's disks: the mirrors are done with.
                        for mirror in mirrors { _ = try? await qmp.execute("block-job-cancel", arguments: ["device": .string(mirror), "force": true]) }
                        return
                    case "failed", "cancelled":
                        throw DriverError.failed("Moving instance \(instance) failed: \(migration["error-desc"]?.stringValue ?? "no reason given")")
                    default:
                        try Self.check(deadline, instance)
                        try await Task.sleep(for: .milliseconds(100))
                    }
                }
            } catch {
                _ = try? await qmp.execute("migrate_cancel")
                for mirror in mirrors { _ = try? await qmp.execute("block-job-cancel", arguments: ["device": .string(mirror), "force": true]) }
                throw error
            }
        }
    }

    private static func check(_ deadline: ContinuousClock.Instant, _ instance: InstanceID) throws {
        guard ContinuousClock.now < deadline else { throw DriverError.failed("Moving instance \(instance) did not end within \(Self.migrationLimit)") }
    }
}
