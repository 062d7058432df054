import Database
import Foundation
import Logging
import Messaging
import StratusCore

/// Moves to another host as conductor tasks (Nova's `LiveMigrationTask` and `MigrationTask`): the migration takes over
/// the source's claim, the scheduler claims a destination for the instance, the destination prepares, the source sends
/// the guest, the destination takes it over. Live, the source's claim then goes back; cold, it is kept until the move
/// is confirmed (the source's copy goes) or reverted (the instance goes back to it). Every failure puts the claims
/// back as they were and leaves the instance where it was, without a task.
extension ConductorService {
    func liveMigrate(_ message: LiveMigrateInstance) async throws {
        try await move(message.instanceId, to: message.host, live: true, credentials: message.credentials)
    }

    func migrate(_ message: MigrateInstance) async throws {
        try await move(message.instanceId, to: message.host, live: false, credentials: message.credentials)
    }

    private func move(_ id: InstanceID, to host: String?, live: Bool, credentials: Credentials) async throws {
        let asked: TaskState = live ? .migrating : .resizePrep
        guard let instance = try await repository.instance(id), instance.taskState == asked, let source = instance.host,
            try await migration(of: id) == nil
        else { return }
        let type = live ? InstanceMigration.liveMigration : InstanceMigration.coldMigration
        guard let (destination, consumer) = try await startMove(
            instance, from: source, to: host, type: type, status: live ? .preparing : .preMigrating, task: asked, credentials: credentials
        ) else { return }
        let uri: String
        do {
            uri = try await computeRPC.prepareMigration(instance, on: destination, credentials: credentials)
        } catch {
            return try await abandon(instance, task: asked, consumer: consumer, destination: destination, reason: "\(error)", credentials: credentials)
        }
        _ = try await backend.migrations.setMigrationStatus(instance: id, to: live ? .running : .migrating, at: now)
        if !live { _ = try await update(id, InstanceChanges(taskState: .set(.resizeMigrating)), expected: [asked]) }
        try await computeRPC.sendGuest(id, from: source, to: destination, uri: uri, live: live, credentials: credentials)
    }

    /// The source's report. Sent: the instance is placed on the destination, which takes the guest over (live, the
    /// source's claim goes back now). Not sent: everything is put back. From the destination (placed there, and
    /// restarted before it took the guest over): it is asked again.
    func guestSent(_ message: GuestSent) async throws {
        guard var instance = try await repository.instance(message.instanceId), let migration = try await migration(of: instance.id),
            [.running, .migrating].contains(migration.status)
        else { return }
        let live = migration.migrationType == InstanceMigration.liveMigration
        let sending: TaskState = live ? .migrating : .resizeMigrating
        let placed: TaskState = live ? .migrating : .resizeMigrated
        let powerOn = instance.vmState == .active
        if instance.host == migration.destCompute, instance.taskState == placed {
            return try await computeRPC.takeOverGuest(instance, on: migration.destCompute, live: live, powerOn: powerOn, credentials: message.credentials)
        }
        guard instance.taskState == sending else { return }
        let consumer = InstanceID(migration.uuid)
        if let error = message.error {
            return try await abandon(instance, task: sending, consumer: consumer, destination: migration.destCompute, reason: error, credentials: message.credentials)
        }
        instance = try await placing(instance, on: migration.destCompute)
        instance.taskState = placed
        let moved = try await record(instance, expected: sending) { [instance] compute in
            try await compute.takeOverGuest(instance, on: migration.destCompute, live: live, powerOn: powerOn, credentials: message.credentials)
        }
        if moved, live { _ = try await repository.releaseClaim(instance: consumer) }
        try await backend.consoleTokens.revoke(instanceId: instance.id)
    }

    /// A cold move waiting in VERIFY_RESIZE (the API set `resize_confirming` or `resize_reverting`). Confirmed: the
    /// source's copy and claim go. Reverted: the destination's copy and claim go, the instance takes its source claim
    /// back and returns to its kept guest there, which runs again if the instance ran.
    func finishColdMigration(_ message: FinishColdMigration) async throws {
        guard let instance = try await repository.instance(message.instanceId), instance.vmState == .resized,
            let migration = try await migration(of: instance.id), migration.migrationType == InstanceMigration.coldMigration,
            instance.host == migration.destCompute
        else { return }
        let consumer = InstanceID(migration.uuid)
        let credentials = message.credentials
        if message.confirm {
            guard instance.taskState == .resizeConfirming else { return }
            try await computeRPC.removeMovedGuest(instance.id, on: migration.sourceCompute, credentials: credentials)
            _ = try await repository.releaseClaim(instance: consumer)
            let state: VMState = instance.powerState == .running ? .active : .stopped
            _ = try await update(instance.id, InstanceChanges(vmState: state, taskState: .clear, clearOldFlavor: true, migrationStatus: .confirmed),
                                 expected: [.resizeConfirming])
            return
        }
        guard instance.taskState == .resizeReverting else { return }
        try await computeRPC.removeMovedGuest(instance.id, on: migration.destCompute, credentials: credentials)
        _ = try await repository.releaseClaim(instance: instance.id)
        _ = try await repository.moveClaim(from: consumer, to: instance.id)
        let powerOn = instance.powerState == .running
        let back = try await placing(instance, on: migration.sourceCompute)
        _ = try await record(back, expected: .resizeReverting) { compute in
            try await compute.revertGuest(back, on: migration.sourceCompute, powerOn: powerOn, credentials: credentials)
        }
        try await backend.consoleTokens.revoke(instanceId: instance.id)
    }

    /// Evacuation (Nova's rebuild on another host): the instance's host is down, so nothing is sent; the migration
    /// takes over the old host's claim (given back once that host, back, has removed its copy), the scheduler claims
    /// a new host, and the instance is built again there from its image, on its ports.
    func evacuate(_ message: EvacuateInstance) async throws {
        guard let instance = try await repository.instance(message.instanceId), instance.taskState == .rebuilding,
            let source = instance.host, try await migration(of: instance.id) == nil
        else { return }
        let credentials = message.credentials
        guard let (destination, _) = try await startMove(
            instance, from: source, to: message.host, type: InstanceMigration.evacuation, status: .preMigrating, task: .rebuilding, credentials: credentials
        ) else { return }
        let placed = try await placing(instance, on: destination)
        _ = try await record(placed, expected: .rebuilding) { compute in
            try await compute.rebuildEvacuated(placed, on: destination, stopped: message.stopped, credentials: credentials)
        }
        try await backend.consoleTokens.revoke(instanceId: instance.id)
    }

    /// The instances evacuated from `host` (rebuilt elsewhere, or failed there) that are not on it again since.
    func evacuatedInstances(from host: String) async throws -> [InstanceID] {
        var filter = MigrationFilter()
        filter.migrationType = InstanceMigration.evacuation
        filter.sourceCompute = host
        let ended = try await backend.migrations.migrations(filter).filter { [.done, .error].contains($0.status) }
        var evacuated: [InstanceID] = []
        for id in Set(ended.map(\.instanceId)) where try await repository.instance(id)?.host != host {
            evacuated.append(id)
        }
        return evacuated
    }

    /// The old host removed the evacuated guests: the claims their migrations kept there go.
    func evacuationCleaned(_ message: EvacuationCleaned) async throws {
        var filter = MigrationFilter()
        filter.migrationType = InstanceMigration.evacuation
        filter.sourceCompute = message.host
        let cleaned = Set(message.instanceIds)
        for migration in try await backend.migrations.migrations(filter) where cleaned.contains(migration.instanceId) {
            _ = try await repository.releaseClaim(instance: InstanceID(migration.uuid))
        }
    }

    /// The instance's move to another host that is not over yet.
    func migration(of id: InstanceID) async throws -> InstanceMigration? {
        var filter = MigrationFilter()
        filter.instanceId = id
        return try await backend.migrations.migrations(filter).first(where: \.isMoveUnderWay)
    }

    /// The first steps of every move: the migration record, whose uuid is the consumer that takes over the source's
    /// claim, and a destination the scheduler claims for the instance (the one asked for, or any but the source). Nil
    /// when none fits: the move is abandoned and its record is in error.
    private func startMove(
        _ instance: Instance, from source: String, to host: String?, type: String, status: InstanceMigration.Status, task: TaskState,
        credentials: Credentials
    ) async throws -> (destination: String, consumer: InstanceID)? {
        var migration = InstanceMigration(
            uuid: UUID().uuidString.lowercased(), instanceId: instance.id, projectId: instance.projectId, userId: credentials.userId,
            migrationType: type, status: status, sourceCompute: source, destCompute: host ?? "", oldFlavorId: instance.flavor.id,
            newFlavorId: instance.flavor.id, createdAt: now
        )
        let consumer = InstanceID(migration.uuid)
        _ = try await repository.moveClaim(from: instance.id, to: consumer)
        do {
            let selection = try await schedulerRPC.selectDestination(moving: instance.id, from: source, to: host, requestId: credentials.requestId)
            guard let destination = selection?.host else { throw RemoteFault(status: 500, message: "No valid host was found.") }
            migration.destCompute = destination
            _ = try await backend.migrations.createMigration(migration)
            return (destination, consumer)
        } catch let fault as RemoteFault {
            migration.status = .error
            _ = try await backend.migrations.createMigration(migration)
            try await abandon(instance, task: task, consumer: consumer, destination: nil, reason: fault.message, credentials: credentials)
            return nil
        }
    }

    /// Records the moved instance if its task state is still `expected` and, in the same transaction, casts to a host
    /// through `cast`; false when the task state had changed (nothing is sent).
    private func record(_ instance: Instance, expected: TaskState, cast: @escaping @Sendable (ComputeRPCAPI) async throws -> Void) async throws -> Bool {
        try await backend.transaction { [computeRPC] tx in
            guard try await tx.compute.updateInstance(instance, expectedTaskStates: [expected]) else { return false }
            try await cast(computeRPC.casting(into: tx.outbox))
            return true
        }
    }

    /// The move did not happen: the destination drops its waiting guest, the instance's claim there goes back and it
    /// takes the source's claim back from the migration; the instance stays on its source with no task.
    private func abandon(
        _ instance: Instance, task: TaskState, consumer: InstanceID, destination: String?, reason: String, credentials: Credentials
    ) async throws {
        logger.warning("conductor: moving \(instance.id) from \(instance.host ?? "no host") abandoned: \(reason)")
        if let destination, !destination.isEmpty {
            try await computeRPC.removeMovedGuest(instance.id, on: destination, credentials: credentials)
        }
        _ = try await repository.releaseClaim(instance: instance.id)
        _ = try await repository.moveClaim(from: consumer, to: instance.id)
        _ = try await update(instance.id, InstanceChanges(taskState: .clear, migrationStatus: .error), expected: [task])
    }
}
