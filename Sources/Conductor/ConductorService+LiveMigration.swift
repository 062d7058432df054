import Database
import Foundation
import Logging
import Messaging
import StratusCore

/// Live migration as a conductor task (Nova's `LiveMigrationTask`): the migration takes over the source's claim,
/// the scheduler claims a destination for the instance, the destination prepares, the source sends the guest; every
/// failure puts the claims back as they were and leaves the instance ACTIVE on its source.
extension ConductorService {
    func liveMigrate(_ message: LiveMigrateInstance) async throws {
        guard let instance = try await repository.instance(message.instanceId), instance.taskState == .migrating, let source = instance.host,
            try await liveMigration(of: instance.id) == nil
        else { return }
        let credentials = message.credentials
        var migration = InstanceMigration(
            uuid: UUID().uuidString.lowercased(), instanceId: instance.id, projectId: instance.projectId, userId: credentials.userId,
            migrationType: "live-migration", status: .preparing, sourceCompute: source, destCompute: message.host ?? "",
            oldFlavorId: instance.flavor.id, newFlavorId: instance.flavor.id, createdAt: now
        )
        let consumer = InstanceID(migration.uuid)
        _ = try await repository.moveClaim(from: instance.id, to: consumer)
        let destination: String
        do {
            let selection = try await schedulerRPC.selectDestination(moving: instance.id, from: source, to: message.host, requestId: credentials.requestId)
            guard let host = selection?.host else { throw RemoteFault(status: 500, message: "No valid host was found.") }
            destination = host
        } catch let fault as RemoteFault {
            migration.status = .error
            _ = try await backend.migrations.createMigration(migration)
            try await abandon(instance, consumer: consumer, destination: nil, reason: fault.message, credentials: credentials)
            return
        }
        migration.destCompute = destination
        _ = try await backend.migrations.createMigration(migration)
        let uri: String
        do {
            uri = try await computeRPC.prepareLiveMigration(instance, on: destination, credentials: credentials)
        } catch {
            try await abandon(instance, consumer: consumer, destination: destination, reason: "\(error)", credentials: credentials)
            return
        }
        _ = try await backend.migrations.setMigrationStatus(instance: instance.id, to: .running, at: now)
        try await computeRPC.liveMigrate(instance.id, from: source, to: destination, uri: uri, credentials: credentials)
    }

    /// The source's report. Done: the instance is placed on the destination (still `migrating`, which the destination
    /// ends once it has taken the guest over) and the source's claim goes back. Not done: everything is put back.
    /// From the destination (placed there, and restarted before it took the guest over): it is asked again.
    func liveMigrationFinished(_ message: LiveMigrationFinished) async throws {
        guard var instance = try await repository.instance(message.instanceId), instance.taskState == .migrating,
            let migration = try await liveMigration(of: instance.id), migration.status == .running
        else { return }
        if instance.host == migration.destCompute {
            return try await computeRPC.completeLiveMigration(instance, on: migration.destCompute, credentials: message.credentials)
        }
        let consumer = InstanceID(migration.uuid)
        if let error = message.error {
            return try await abandon(instance, consumer: consumer, destination: migration.destCompute, reason: error, credentials: message.credentials)
        }
        instance.host = migration.destCompute
        instance.availabilityZone = try await repository.computeNode(host: migration.destCompute)?.availabilityZone ?? instance.availabilityZone
        instance.updatedAt = now
        let placed = try await backend.transaction { [instance, computeRPC] tx in
            guard try await tx.compute.updateInstance(instance, expectedTaskStates: [.migrating]) else { return false }
            try await computeRPC.casting(into: tx.outbox).completeLiveMigration(instance, on: migration.destCompute, credentials: message.credentials)
            return true
        }
        if placed { _ = try await repository.releaseClaim(instance: consumer) }
        try await backend.consoleTokens.revoke(instanceId: instance.id)
    }

    /// The instance's live migration that is not over yet.
    func liveMigration(of id: InstanceID) async throws -> InstanceMigration? {
        var filter = MigrationFilter()
        filter.instanceId = id
        filter.migrationType = "live-migration"
        return try await backend.migrations.migrations(filter).first { !$0.status.isFinal }
    }

    /// The migration did not happen: the destination drops its waiting guest, the instance's claim there goes back and
    /// it takes the source's claim back from the migration; the instance stays on its source with no task.
    private func abandon(_ instance: Instance, consumer: InstanceID, destination: String?, reason: String, credentials: Credentials) async throws {
        logger.warning("conductor: live migration of \(instance.id) from \(instance.host ?? "no host") abandoned: \(reason)")
        if let destination, !destination.isEmpty {
            try await computeRPC.abortIncomingMigration(instance.id, on: destination, credentials: credentials)
        }
        _ = try await repository.releaseClaim(instance: instance.id)
        _ = try await repository.moveClaim(from: consumer, to: instance.id)
        _ = try await backend.migrations.setMigrationStatus(instance: instance.id, to: .error, at: now)
        _ = try await update(instance.id, InstanceChanges(taskState: .clear), expected: [.migrating])
    }
}
