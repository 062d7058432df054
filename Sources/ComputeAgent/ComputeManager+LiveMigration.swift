import Logging
import Messaging
import StratusCore
import Virt

/// Live migration on each side: the destination prepares the guest and later takes it over, the source sends it.
extension ComputeManager {
    /// Destination: the guest made from the instance as it runs on the source (its ports, config drive and disks on the
    /// same image), waiting for its state; where the source sends it.
    func prepareLiveMigration(_ message: PrepareLiveMigration) async throws -> String {
        let instance = message.instance
        do {
            let spec = try await newGuestSpec(instance, interfaces: instance.networkInfo, credentials: message.credentials)
            return try await onCachedImage(spec, credentials: message.credentials) { try await driver.prepareIncomingMigration($0) }
        } catch {
            // The conductor records why, in the migration's fault and its log.
            throw RemoteFault(status: 409, message: "Host \(host) cannot take instance \(instance.id): \(Self.reason(error))")
        }
    }

    /// Source: sends the guest, removes the stopped copy left here once it has gone, and tells the conductor.
    func liveMigrate(_ message: LiveMigrate) async {
        let id = message.instanceId
        var failure: String?
        do {
            try await driver.migrate(id, to: message.uri)
            logger.info("compute \(host): instance \(id) went to \(message.destination)")
            do { try await driver.destroy(id) } catch { logger.warning("compute \(host): removing the migrated guest \(id) failed: \(error)") }
        } catch {
            logger.warning("compute \(host): live migration of \(id) to \(message.destination) failed: \(error)")
            failure = Self.reason(error)
        }
        do {
            try await conductor.liveMigrationFinished(id, error: failure, credentials: message.credentials)
        } catch {
            logger.error("compute \(host): could not report the live migration of \(id): \(error)")
        }
    }

    /// Destination, once the instance is placed here: waits for the guest, binds its ports to this host and records
    /// it as it runs, ending the migration. A guest that did not arrive whole is an error.
    func completeLiveMigration(_ message: CompleteLiveMigration) async {
        let instance = message.instance
        do {
            try await driver.finishIncomingMigration(instance.id)
            _ = try await rebindPorts(instance)
            let changes = InstanceChanges(
                taskState: .clear, powerState: await driver.powerState(instance.id), migrationStatus: .completed,
                sshForward: await driver.sshForward(instance.id)
            )
            _ = try await change(instance.id, changes, expected: [.migrating])
        } catch {
            logger.warning("compute \(host): taking over the migrated instance \(instance.id) failed: \(error)")
            let fault = InstanceFault(code: 500, message: Self.reason(error), created: now)
            let changes = InstanceChanges(
                vmState: .error, taskState: .clear, powerState: await driver.powerState(instance.id), fault: fault, migrationStatus: .error
            )
            _ = try? await change(instance.id, changes, expected: nil)
        }
    }

    /// Destination: the migration did not happen; the guest that waited for it goes.
    func abortIncomingMigration(_ message: AbortIncomingMigration) async {
        do {
            try await driver.destroy(message.instanceId)
        } catch {
            logger.warning("compute \(host): removing the guest of the abandoned migration of \(message.instanceId) failed: \(error)")
        }
    }
}
