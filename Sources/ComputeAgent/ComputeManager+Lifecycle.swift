import Foundation
import Logging
import Messaging
import StratusCore
import Virt

/// Rebuild, shelve and the periodic power-state sync.
extension ComputeManager {
    /// A new root disk from the instance's image: the guest is destroyed and spawned again on the same ports. A guest
    /// that was stopped stays stopped, as in Nova.
    func rebuild(_ message: RebuildGuest) async {
        let instance = message.instance
        let event = "compute_rebuild_instance"
        await recordEvent(instance.id, message.credentials.requestId, event, start: now)
        do {
            try await driver.destroy(instance.id)
            guard try await change(instance.id, InstanceChanges(taskState: .set(.rebuildSpawning)), expected: [.rebuilding]) else { return }
            let spec = try await newGuestSpec(instance, interfaces: instance.networkInfo, credentials: message.credentials)
            try await spawn(spec, credentials: message.credentials)
            var changes = InstanceChanges(
                vmState: .active, taskState: .clear, powerState: .running, launchedAt: now, sshForward: await driver.sshForward(instance.id)
            )
            if instance.vmState == .stopped {
                try await driver.powerOff(instance.id)
                changes = InstanceChanges(vmState: .stopped, taskState: .clear, powerState: .shutdown, launchedAt: now)
            }
            _ = try await change(instance.id, changes, expected: [.rebuildSpawning])
            await recordEvent(instance.id, message.credentials.requestId, event, start: nil, result: "Success")
        } catch {
            logger.warning("compute \(host): rebuild of \(instance.id) failed: \(error)")
            await recordEvent(instance.id, message.credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            let fault = InstanceFault(code: 500, message: Self.reason(error), created: now)
            let changes = InstanceChanges(vmState: .error, taskState: .clear, powerState: await driver.powerState(instance.id), fault: fault)
            _ = try? await change(instance.id, changes, expected: nil)
        }
    }

    /// Powers the guest off, uploads its disk as the shelved image, removes the guest and has the conductor free
    /// the host's resources. On failure the image is discarded and the guest stays (stopped if it was powered off).
    func shelve(_ message: ShelveInstance) async {
        let id = message.instanceId
        let event = "compute_shelve_instance"
        await recordEvent(id, message.credentials.requestId, event, start: now)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-shelve-\(message.imageId)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            if await driver.powerState(id) != .shutdown { try await driver.powerOff(id) }
            _ = try await driver.snapshot(id, to: path)
            try await images.upload(message.imageId, file: path, credentials: message.credentials)
            let shelved = InstanceChanges(vmState: .shelved, taskState: .set(.shelvingOffloading), powerState: .shutdown)
            guard try await change(id, shelved, expected: [.shelving]) else { return }
            try await driver.destroy(id)
            await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Success")
            try await conductor.instanceOffloaded(id, requestId: message.credentials.requestId)
        } catch {
            logger.warning("compute \(host): shelve of \(id) failed: \(error)")
            try? await images.discard(message.imageId, credentials: message.credentials)
            await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            let power = await driver.powerState(id)
            let changes = InstanceChanges(vmState: power == .shutdown ? .stopped : nil, taskState: .clear, powerState: power, clearShelvedImage: true)
            _ = try? await change(id, changes, expected: nil)
        }
    }

    /// Nova's `_sync_power_states`: compares each guest with the power state on record. A guest that stopped by itself
    /// (or vanished) makes an ACTIVE instance SHUTOFF; a guest running though its instance is SHUTOFF is powered off.
    /// Instances with an operation in progress are left to it.
    public func syncPowerStates() async {
        let instances: [Instance]
        do {
            instances = try await conductor.instances(on: host)
        } catch {
            logger.warning("compute \(host): power-state sync could not list the host's instances: \(error)")
            return
        }
        for instance in instances where instance.taskState == nil {
            await queue.run(instance.id) { await syncPowerState(instance.id) }
        }
    }

    /// One instance's sync, inside its queue: it re-reads the record, because an operation queued before may have
    /// changed it since the host's list was taken.
    private func syncPowerState(_ id: InstanceID) async {
        let power = await driver.powerState(id)
        guard let recorded = try? await placedInstance(id),
              recorded.taskState == nil, recorded.powerState != power || (recorded.vmState == .stopped && power == .running) else { return }
        do {
            switch (recorded.vmState, power) {
            case (.active, .shutdown), (.active, .crashed), (.active, .noState):
                logger.warning("compute \(host): instance \(id) is ACTIVE but its guest is \(power); recording it as stopped")
                _ = try await change(id, InstanceChanges(vmState: .stopped, powerState: power), expected: [nil])
            case (.stopped, .running):
                logger.warning("compute \(host): instance \(id) is SHUTOFF but its guest runs; powering it off")
                try await driver.powerOff(id)
                _ = try await change(id, InstanceChanges(powerState: .shutdown), expected: [nil])
            default:
                _ = try await change(id, InstanceChanges(powerState: power), expected: [nil])
            }
        } catch {
            logger.warning("compute \(host): power-state sync of \(id) failed: \(error)")
        }
    }
}
