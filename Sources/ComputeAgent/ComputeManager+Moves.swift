import Logging
import Messaging
import StratusCore
import Virt

/// Moves to another host, on each side: the destination prepares the guest and later takes it over, the source sends
/// it (and, after a cold move, keeps its copy until the move is confirmed or reverted).
extension ComputeManager {
    /// Destination: the guest made from the instance as it runs on the source (its ports, config drive, volumes and
    /// disks on the same image), waiting for its state; where the source sends it.
    func prepareMigration(_ message: PrepareMigration) async throws -> String {
        let instance = message.instance
        do {
            let spec = try await movedGuestSpec(instance, credentials: message.credentials)
            return try await onCachedImage(spec, credentials: message.credentials) { try await driver.prepareIncomingMigration($0) }
        } catch {
            // The conductor records why, in its log and the migration's end.
            throw RemoteFault(status: 409, message: "Host \(host) cannot take instance \(instance.id): \(Self.reason(error))")
        }
    }

    /// The guest of an instance that comes here from another host: on its ports, with its volumes as they are attached
    /// (their files are on storage every host shares, so the same attachments serve here).
    private func movedGuestSpec(_ instance: Instance, credentials: Credentials) async throws -> GuestSpec {
        var spec = try await newGuestSpec(instance, interfaces: instance.networkInfo, credentials: credentials)
        for attachment in instance.volumeAttachments.sorted(by: { ($0.bootIndex == 0 ? 0 : 1) < ($1.bootIndex == 0 ? 0 : 1) }) {
            guard let volumes else { throw StratusError.unavailable("Compute host \(host) has no volume service to attach volumes from.") }
            let connection = try await volumes.connection(of: attachment.attachmentId, credentials: credentials)
            spec.volumes.append(VolumeAttachmentSpec(
                volumeId: attachment.volumeId.rawValue, path: connection.path, format: connection.format, device: attachment.device,
                bootIndex: attachment.bootIndex
            ))
        }
        return spec
    }

    /// Source: sends the guest (a cold move powers it off first) and tells the conductor. A live move removes the copy
    /// left here; a cold one keeps it for a revert. A failed cold move powers the guest on again if it ran.
    func sendGuest(_ message: SendGuest) async {
        let id = message.instanceId
        let wasRunning = await driver.powerState(id) == .running
        var failure: String?
        do {
            if !message.live, wasRunning { try await driver.powerOff(id) }
            try await driver.migrate(id, to: message.uri)
            logger.info("compute \(host): instance \(id) went to \(message.destination)")
            if message.live {
                do { try await driver.destroy(id) } catch { logger.warning("compute \(host): removing the migrated guest \(id) failed: \(error)") }
            }
        } catch {
            logger.warning("compute \(host): sending instance \(id) to \(message.destination) failed: \(error)")
            failure = Self.reason(error)
            if !message.live, wasRunning, await driver.powerState(id) != .running { try? await driver.powerOn(id) }
        }
        do {
            try await conductor.guestSent(id, error: failure, credentials: message.credentials)
        } catch {
            logger.error("compute \(host): could not report the move of \(id): \(error)")
        }
    }

    /// Destination, once the instance is placed here: waits for the guest, binds its ports to this host and records
    /// it. Live: it runs on as it was, and the migration is over. Cold: it starts afresh if it ran before, and waits
    /// in VERIFY_RESIZE. A guest that did not arrive whole is an error.
    func takeOverGuest(_ message: TakeOverGuest) async {
        let instance = message.instance
        do {
            try await driver.finishIncomingMigration(instance.id)
            if !message.live {
                if await driver.powerState(instance.id) != .shutdown { try await driver.powerOff(instance.id) }
                if message.powerOn { try await driver.powerOn(instance.id) }
            }
            _ = try await rebindPorts(instance)
            let power = await driver.powerState(instance.id)
            let forward = await driver.sshForward(instance.id)
            let changes = message.live
                ? InstanceChanges(taskState: .clear, powerState: power, migrationStatus: .completed, sshForward: forward)
                : InstanceChanges(vmState: .resized, taskState: .clear, powerState: power, oldFlavor: instance.flavor, migrationStatus: .finished, sshForward: forward)
            _ = try await change(instance.id, changes, expected: [message.live ? .migrating : .resizeMigrated])
        } catch {
            logger.warning("compute \(host): taking over the moved instance \(instance.id) failed: \(error)")
            let fault = InstanceFault(code: 500, message: Self.reason(error), created: now)
            let changes = InstanceChanges(
                vmState: .error, taskState: .clear, powerState: await driver.powerState(instance.id), fault: fault, migrationStatus: .error
            )
            _ = try? await change(instance.id, changes, expected: nil)
        }
    }

    /// Source of a reverted cold move: the instance is back on its kept guest, which runs again if it ran before.
    func revertGuest(_ message: RevertGuest) async {
        let instance = message.instance
        do {
            if message.powerOn, await driver.powerState(instance.id) != .running { try await driver.powerOn(instance.id) }
            _ = try await rebindPorts(instance)
            let power = await driver.powerState(instance.id)
            let changes = InstanceChanges(
                vmState: power == .running ? .active : .stopped, taskState: .clear, powerState: power, clearOldFlavor: true,
                migrationStatus: .reverted, sshForward: await driver.sshForward(instance.id)
            )
            _ = try await change(instance.id, changes, expected: [.resizeReverting])
        } catch {
            logger.warning("compute \(host): reverting the move of \(instance.id) failed: \(error)")
            let fault = InstanceFault(code: 500, message: Self.reason(error), created: now)
            _ = try? await change(instance.id, InstanceChanges(vmState: .error, taskState: .clear, fault: fault, migrationStatus: .error), expected: nil)
        }
    }

    /// Destination of an evacuation: the instance, placed here, is built again from its image on its ports (bound to
    /// this host now); it ends ACTIVE, or SHUTOFF when `stopped`. A failure leaves it in ERROR here, with a fault.
    func rebuildEvacuated(_ message: RebuildEvacuated) async {
        let instance = message.instance
        let event = "compute_rebuild_instance"
        await recordEvent(instance.id, message.credentials.requestId, event, start: now)
        do {
            _ = try await rebindPorts(instance)
            guard try await change(instance.id, InstanceChanges(taskState: .set(.rebuildSpawning)), expected: [.rebuilding]) else { return }
            try await spawn(try await movedGuestSpec(instance, credentials: message.credentials), credentials: message.credentials)
            if message.stopped { try await driver.powerOff(instance.id) }
            let power = await driver.powerState(instance.id)
            let changes = InstanceChanges(
                vmState: message.stopped ? .stopped : .active, taskState: .clear, powerState: power, launchedAt: now, migrationStatus: .done,
                sshForward: await driver.sshForward(instance.id)
            )
            _ = try await change(instance.id, changes, expected: [.rebuildSpawning])
            await recordEvent(instance.id, message.credentials.requestId, event, start: nil, result: "Success")
        } catch {
            logger.warning("compute \(host): rebuilding the evacuated instance \(instance.id) failed: \(error)")
            try? await driver.destroy(instance.id)
            await recordEvent(instance.id, message.credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            let fault = InstanceFault(code: 500, message: Self.reason(error), created: now)
            _ = try? await change(instance.id, InstanceChanges(vmState: .error, taskState: .clear, powerState: .noState, fault: fault, migrationStatus: .error),
                                  expected: nil)
        }
    }

    /// A copy of a moved guest that is not wanted here any more.
    func removeMovedGuest(_ message: RemoveMovedGuest) async {
        do {
            try await driver.destroy(message.instanceId)
        } catch {
            logger.warning("compute \(host): removing the moved guest \(message.instanceId) failed: \(error)")
        }
    }
}
