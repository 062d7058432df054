import Logging
import Messaging
import ServiceClients
public import StratusCore
import Virt

/// Nova's `init_host`: what a compute host does once when it starts. Guests are not children of Stratus, so a stop
/// (or a `kill -9`) of the process leaves them running, and operations it was in the middle of are lost with it.
extension ComputeManager {
    /// Brings every instance of the host that an earlier run left in a task state (its record last changed before
    /// `startedAt`, so no operation of this run owns it) out of that state, handles the guests no instance of the host
    /// owns as `orphanedGuestAction` says, then syncs the power states: a guest that died while Stratus was down makes
    /// its instance SHUTOFF.
    public func recover(startedAt: Timestamp) async {
        let instances: [Instance]
        do {
            instances = try await conductor.instances(on: host)
        } catch {
            logger.warning("compute \(host): the start's recovery could not list the host's instances: \(error)")
            return
        }
        await removeEvacuatedGuests()
        let owned = Set(instances.map(\.id))
        let orphans = await driver.guests().filter { !owned.contains($0) }
        let interrupted = instances.filter { $0.taskState != nil && $0.updatedAt < startedAt }.map(\.id)
        await withTaskGroup(of: Void.self) { group in
            for guest in orphans {
                group.addTask { await queue.run(guest) { await handleOrphan(guest) } }
            }
            for id in interrupted {
                group.addTask { await queue.run(id) { await finishInterrupted(id, startedAt: startedAt) } }
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for instance in instances where instance.updatedAt < startedAt {
                group.addTask { await queue.run(instance.id) { await reconcileVolumes(instance.id) } }
            }
        }
        await syncPowerStates()
    }

    /// Nova's `_destroy_evacuated_instances`: the guests of instances rebuilt on another host while this one was down
    /// go, and the claims they kept here with them.
    private func removeEvacuatedGuests() async {
        do {
            var removed: [InstanceID] = []
            for id in try await conductor.evacuatedInstances(from: host) {
                logger.warning("compute \(host): instance \(id) was evacuated to another host while this one was down; removing its guest here")
                try await driver.destroy(id)
                removed.append(id)
            }
            if !removed.isEmpty { try await conductor.evacuationCleaned(removed, on: host) }
        } catch {
            logger.warning("compute \(host): removing the guests of evacuated instances failed: \(error)")
        }
    }

    /// The instance on record now, when it is still placed on this host.
    func placedInstance(_ id: InstanceID) async throws -> Instance? {
        try await conductor.instances(on: host).first { $0.id == id }
    }

    /// A guest with no instance of this host. Checked again in the instance's queue: a build that placed it here since
    /// the list was taken owns it.
    private func handleOrphan(_ guest: InstanceID) async {
        do {
            guard try await placedInstance(guest) == nil else { return }
            let power = await driver.powerState(guest)
            switch orphanedGuestAction {
            case .log:
                logger.warning("compute \(host): guest \(guest) (\(power)) belongs to no instance of this host; left as it is")
            case .shutdown:
                logger.warning("compute \(host): guest \(guest) (\(power)) belongs to no instance of this host; powering it off")
                if power == .running || power == .paused { try await driver.powerOff(guest) }
            case .reap:
                logger.warning("compute \(host): guest \(guest) (\(power)) belongs to no instance of this host; destroying it")
                try await driver.destroy(guest)
            }
        } catch {
            logger.warning("compute \(host): handling guest \(guest), which belongs to no instance of this host, failed: \(error)")
        }
    }

    /// Nova's `_init_instance`: a build that was cut off is an error (one that had not started waits for its message), a delete or power action is done again, a
    /// resize or rebuild is an error (its guest may be half changed), and anything else is cleared to what the guest is.
    private func finishInterrupted(_ id: InstanceID, startedAt: Timestamp) async {
        guard let instance = try? await placedInstance(id), let task = instance.taskState, instance.updatedAt < startedAt else { return }
        logger.warning("compute \(host): instance \(id) was left \(instance.vmState.rawValue)/\(task.rawValue) by the previous run; recovering it")
        do {
            switch (instance.vmState, task) {
            case (.building, .scheduling):
                // The build never started here: its message is still on the bus, and builds it when it is delivered.
                logger.info("compute \(host): instance \(id) waits for its build message")
            case (.building, _):
                try await fail(instance, "The compute service of \(host) stopped while the instance was being built.")
            case (.shelvedOffloaded, _):
                // An unshelve that was cut off: the conductor frees the host and leaves the instance offloaded.
                try await driver.destroy(id)
                let reason = "The compute service of \(host) stopped while the instance was being unshelved."
                try await conductor.buildFailed(id, on: host, reason: reason, alternates: [], credentials: serviceCredentials(instance))
            case (_, .deleting):
                try await driver.destroy(id)
                for port in try await network.ports(deviceId: id.rawValue, caller: serviceCaller) {
                    try await network.deletePort(port.id, caller: serviceCaller)
                }
                try await conductor.instanceRemoved(id, requestId: nil)
            case (.shelved, .shelvingOffloading):
                try await driver.destroy(id)
                try await conductor.instanceOffloaded(id, requestId: nil)
            case (_, .softDeleting):
                try await powerOff(id)
                _ = try await change(id, InstanceChanges(vmState: .softDeleted, taskState: .clear, powerState: .shutdown), expected: [task])
            case (_, .poweringOff):
                try await powerOff(id)
                _ = try await change(id, InstanceChanges(vmState: .stopped, taskState: .clear, powerState: .shutdown), expected: [task])
            case (_, .poweringOn), (_, .restoring):
                if await driver.powerState(id) != .running { try await driver.powerOn(id) }
                _ = try await change(id, InstanceChanges(vmState: .active, taskState: .clear, powerState: .running), expected: [task])
            case (_, .rebooting), (_, .rebootPending), (_, .rebootStarted), (_, .rebootingHard), (_, .rebootPendingHard), (_, .rebootStartedHard):
                try await driver.reboot(id, hard: true)
                _ = try await change(id, InstanceChanges(vmState: .active, taskState: .clear, powerState: .running), expected: [task])
            case (_, .resizePrep), (_, .resizeFinish), (_, .resizeReverting),
                 (_, .resizeConfirming), (_, .rebuilding), (_, .rebuildSpawning), (_, .rebuildBlockDeviceMapping):
                try await fail(instance, "The compute service of \(host) stopped during the instance's \(task.rawValue).")
            case (_, .migrating), (_, .resizeMigrating), (_, .resizeMigrated):
                // The conductor knows which side this host is: it abandons the move, or asks again to take it over.
                try await conductor.guestSent(id, error: "The compute service of \(host) stopped during the move.", credentials: serviceCredentials(instance))
            case (.active, .imageSnapshot), (.active, .imageSnapshotPending), (.active, .imagePendingUpload), (.active, .imageUploading):
                // A snapshot pauses the guest while it copies the disk.
                if await driver.powerState(id) == .paused { try await driver.unpause(id) }
                try await clear(instance)
            default:
                try await clear(instance)
            }
        } catch {
            logger.warning("compute \(host): recovery of instance \(id) from \(task.rawValue) failed: \(error)")
            _ = try? await change(id, InstanceChanges(taskState: .clear, powerState: await driver.powerState(id)), expected: [task])
        }
    }

    /// A guest that holds a volume its instance has no attachment of on record: the host stopped between plugging the
    /// volume in and the compute API recording it (the API then gave the reservation back). The guest lets the volume
    /// go, and attachments of the instance that the volume service still has, not on record and connected to a host
    /// already (an attach that is only `reserved` is still on its way to the host), are deleted.
    private func reconcileVolumes(_ id: InstanceID) async {
        guard let volumes, let instance = try? await placedInstance(id), instance.taskState == nil else { return }
        let recorded = Set(instance.volumeAttachments.map(\.volumeId.rawValue))
        do {
            for volume in try await driver.attachedVolumes(id) where !recorded.contains(volume.volumeId) {
                logger.warning("compute \(host): instance \(id) holds volume \(volume.volumeId), which it has no attachment of; detaching it")
                try await driver.detachVolume(id, volumeId: volume.volumeId)
            }
        } catch DriverError.guestNotFound {
            // No guest: nothing holds a volume.
        } catch {
            logger.warning("compute \(host): detaching unrecorded volumes from instance \(id) failed: \(error)")
        }
        let credentials = serviceCredentials(instance)
        let attachmentIds = Set(instance.volumeAttachments.map(\.attachmentId))
        do {
            for attachment in try await volumes.attachments(of: id, credentials: credentials)
            where !attachmentIds.contains(attachment.id) && attachment.status != "reserved" {
                logger.warning("compute \(host): deleting attachment \(attachment.id) of volume \(attachment.volumeId), which instance \(id) has not on record")
                try await volumes.deleteAttachment(attachment.id, credentials: credentials)
            }
        } catch {
            logger.warning("compute \(host): cleaning up the volume attachments of instance \(id) failed: \(error)")
        }
    }

    private func powerOff(_ id: InstanceID) async throws {
        let power = await driver.powerState(id)
        if power != .shutdown && power != .noState { try await driver.powerOff(id) }
    }

    /// ERROR with a fault, the guest's power state recorded as it is.
    private func fail(_ instance: Instance, _ message: String) async throws {
        let fault = InstanceFault(code: 500, message: message, created: now)
        let changes = InstanceChanges(vmState: .error, taskState: .clear, powerState: await driver.powerState(instance.id), fault: fault)
        _ = try await change(instance.id, changes, expected: [instance.taskState])
    }

    /// No task state, and the vm state of what the guest is now.
    private func clear(_ instance: Instance) async throws {
        let power = await driver.powerState(instance.id)
        let state: VMState = switch power {
        case .running: .active
        case .paused: .paused
        case .suspended: .suspended
        case .shutdown, .crashed, .noState: .stopped
        }
        _ = try await change(instance.id, InstanceChanges(vmState: state, taskState: .clear, powerState: power), expected: [instance.taskState])
    }

    /// The host's own credentials for a message about `instance` (no user's request started it).
    private func serviceCredentials(_ instance: Instance) -> Credentials {
        Credentials(
            requestId: "req-\(host)-recovery", token: serviceCaller.token, userId: serviceCaller.auth.userId,
            userDomainId: serviceCaller.auth.userDomainId, projectId: instance.projectId, roles: serviceCaller.auth.roles
        )
    }
}
