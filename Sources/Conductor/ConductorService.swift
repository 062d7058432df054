public import Database
import Foundation
public import Logging
public import Messaging
public import StratusCore

/// nova-conductor: every database write on behalf of compute hosts, and the build as a task that reschedules to
/// the alternates on failure and ends in ERROR with a fault when none is left.
public struct ConductorService: Sendable {
    let backend: any SQLBackend
    let computeRPC: ComputeRPCAPI
    let schedulerRPC: SchedulerRPCAPI
    let clock: any WallClock
    let logger: Logger
    /// The token of the cloud's service identity (`stratus-compute`), for work no user asked for: a reclaim's host
    /// frees the server's volumes with it.
    let serviceToken: String

    public init(backend: any SQLBackend, rpc: RPCClient, clock: any WallClock, logger: Logger, serviceToken: String = "") {
        self.backend = backend
        computeRPC = ComputeRPCAPI(rpc)
        schedulerRPC = SchedulerRPCAPI(rpc)
        self.clock = clock
        self.logger = logger
        self.serviceToken = serviceToken
    }

    var repository: any ComputeRepository { backend.compute }
    var now: Timestamp { Timestamp(clock.now()) }

    /// The conductor's RPC server on `transport`.
    public func server(transport: any MessageTransport) -> RPCServer {
        var server = RPCServer(topic: Topic.conductor, transport: transport) { [logger] method, error in
            logger.error("conductor: \(method) failed: \(error)")
        }
        // Compute hosts reach the conductor through the control plane's link, which stamps who they are: a host may
        // report only on itself and its own instances, and only the control plane starts builds and resizes.
        server.on(BuildInstances.self) { message, context in
            try context.requireControlPlane()
            try await buildInstances(message, delivery: context.delivery)
        }
        server.on(BuildFailed.self) { message, context in
            try await requireHost(of: message.instanceId, context, is: message.host)
            try await buildFailed(message, delivery: context.delivery)
        }
        server.answer(UpdateInstance.self) { message, context in
            let current = try await requireHost(of: message.instanceId, context)
            guard try await update(message.instanceId, message.changes, expected: message.expectedTaskStates, current: current) else { return false }
            if let event = message.event { try await recordEvent(event) }
            return true
        }
        server.on(InstanceRemoved.self) { message, context in
            try await requireHost(of: message.instanceId, context)
            try await instanceRemoved(message.instanceId)
        }
        server.on(RecordActionEvent.self) { message, context in
            try await requireHost(of: message.instanceId, context)
            try await recordEvent(message)
        }
        server.on(LiveMigrateInstance.self) { message, context in
            try context.requireControlPlane()
            try await liveMigrate(message)
        }
        server.on(MigrateInstance.self) { message, context in
            try context.requireControlPlane()
            try await migrate(message)
        }
        server.on(FinishColdMigration.self) { message, context in
            try context.requireControlPlane()
            try await finishColdMigration(message)
        }
        server.on(EvacuateInstance.self) { message, context in
            try context.requireControlPlane()
            try await evacuate(message)
        }
        server.answer(EvacuatedInstances.self) { message, context in
            try context.requireSender(is: message.host)
            return try await evacuatedInstances(from: message.host)
        }
        server.on(EvacuationCleaned.self) { message, context in
            try context.requireSender(is: message.host)
            try await evacuationCleaned(message)
        }
        server.on(GuestSent.self) { message, context in
            try await requireHost(of: message.instanceId, context)
            try await guestSent(message)
        }
        server.on(ResizeInstance.self) { message, context in
            try context.requireControlPlane()
            try await resize(message)
        }
        server.on(InstanceOffloaded.self) { message, context in
            try await requireHost(of: message.instanceId, context)
            try await offloaded(message.instanceId)
        }
        server.answer(OpenConsole.self) { message, context in
            // A proxy on a compute host opens the consoles of that host's guests only (and spends no other host's token).
            if let sender = context.sender,
                try await backend.openConsole(token: message.token, type: message.type, spend: false, now: now).host != sender
            {
                throw StratusError.forbidden("The console is not on host \(sender).")
            }
            return try await backend.openConsole(token: message.token, type: message.type, spend: message.spend, now: now)
        }
        server.answer(HostInstances.self) { message, context in
            try context.requireSender(is: message.host)
            return try await repository.instances(host: message.host)
        }
        server.answer(ReportHost.self) { message, context in
            try context.requireSender(is: message.node.host)
            try await repository.upsertComputeNode(message.node)
            return Done()
        }
        return server
    }

    /// A compute host's message about an instance: the instance must be placed on that host (and on `host`, when the
    /// message names one). Messages of the control plane pass.
    /// Refuses a compute host's message about an instance that is not on it; the instance as read to check (nil for
    /// the control plane's own messages, which are not checked).
    @discardableResult
    func requireHost(of id: InstanceID, _ context: RPCContext, is host: String? = nil) async throws -> Instance? {
        guard let sender = context.sender else { return nil }
        let instance = try await repository.instance(id)
        guard let instance, instance.host == sender, host == nil || host == sender else {
            logger.warning("conductor: compute host \(sender) was refused a change to instance \(id), which is on \(instance?.host ?? "no host")")
            throw StratusError.forbidden("Compute host \(sender) may not change instance \(id).")
        }
        return instance
    }

    /// Asks the scheduler for hosts, records each instance's host and sends it there. Delivered again when a conductor
    /// died handling it: instances placed already went to their host then, and the others' claims, if the scheduler
    /// made any, are given back before they are scheduled again. `delivery`: the hold on the message, without which
    /// nothing is sent (see `send`).
    func buildInstances(_ message: BuildInstances, delivery: Envelope.Delivery?) async throws {
        var waiting: [InstanceID] = []
        for id in message.instanceIds {
            guard let instance = try await repository.instance(id), instance.host == nil, let task = Self.placementTask(instance),
                instance.taskState == task
            else { continue }
            _ = try await repository.releaseClaim(instance: id)
            waiting.append(id)
        }
        guard !waiting.isEmpty else { return }
        let selections: [HostSelection]
        do {
            selections = try await schedulerRPC.selectDestinations(waiting, requestId: message.credentials.requestId)
        } catch let fault as RemoteFault {
            for id in waiting { try await fail(id, message: fault.message) }
            return
        }
        for selection in selections {
            try await send(selection.instanceId, to: selection.host, alternates: selection.alternates, credentials: message.credentials, delivery: delivery)
        }
    }

    /// Records the host (claimed already) on the instance and, in the same transaction, casts the build to it; gives the
    /// claim back if the instance was deleted meanwhile. Nothing at all when this conductor no longer holds the message
    /// it is handling (`delivery`): another one took it over and deals with the instance and its claim.
    private func send(_ id: InstanceID, to host: String, alternates: [String], credentials: Credentials, delivery: Envelope.Delivery?) async throws {
        guard let found = try await repository.instance(id), let task = Self.placementTask(found) else {
            _ = try await repository.releaseClaim(instance: id)
            return
        }
        let instance = try await placing(found, on: host)
        enum Outcome { case sent, refused, superseded }
        let outcome = try await backend.transaction { [instance] tx -> Outcome in
            if let delivery, !(try await tx.messages.holds(delivery)) { return .superseded }
            guard try await tx.compute.updateInstance(instance, expectedTaskStates: [task]) else { return .refused }
            try await computeRPC.casting(into: tx.outbox).buildAndRunInstance(instance, on: host, alternates: alternates, credentials: credentials)
            return .sent
        }
        switch outcome {
        case .sent: break
        case .refused: _ = try await repository.releaseClaim(instance: id)
        case .superseded: logger.warning("conductor: the build of \(id) was taken over by another conductor; leaving it to that one")
        }
    }

    /// The instance as placed on `host`, in the host's zone.
    func placing(_ instance: Instance, on host: String) async throws -> Instance {
        var placed = instance
        placed.host = host
        placed.availabilityZone = try await repository.computeNode(host: host)?.availabilityZone ?? instance.availabilityZone ?? "nova"
        placed.updatedAt = now
        return placed
    }

    /// The task state of an instance waiting for a host: a new one (`scheduling`) or an unshelve; nil for any other.
    static func placementTask(_ instance: Instance) -> TaskState? {
        switch instance.vmState {
        case .building: .scheduling
        case .shelvedOffloaded: .unshelving
        default: nil
        }
    }

    /// A host could not build the instance: free its claim and try the next alternate that still has room.
    /// A failure reported for an instance that is not being built on that host any more (its build went through after
    /// all, or it was rescheduled) changes nothing.
    func buildFailed(_ message: BuildFailed, delivery: Envelope.Delivery?) async throws {
        guard var instance = try await repository.instance(message.instanceId) else {
            _ = try await repository.releaseClaim(instance: message.instanceId)
            return
        }
        guard let task = Self.placementTask(instance), instance.host == message.host else {
            logger.warning("conductor: a build failure of \(message.instanceId) on \(message.host) came after its build went on: ignored")
            return
        }
        _ = try await repository.releaseClaim(instance: message.instanceId)
        logger.warning("conductor: build of \(message.instanceId) on \(message.host) failed: \(message.reason)")
        instance.host = nil
        instance.taskState = task
        instance.updatedAt = now
        _ = try await repository.updateInstance(instance, expectedTaskStates: nil)
        let claim = ResourceClaim(vcpus: instance.flavor.vcpus, memoryMB: instance.flavor.memoryMB, diskGB: instance.hostDiskGB(instance.flavor))
        var alternates = message.alternates
        while !alternates.isEmpty {
            let host = alternates.removeFirst()
            if try await repository.claim(claim, host: host, instance: instance.id) {
                try await send(instance.id, to: host, alternates: alternates, credentials: message.credentials, delivery: delivery)
                return
            }
        }
        try await fail(instance.id, message: "No valid host was found. Exceeded maximum number of retries. The last attempt failed: \(message.reason)")
    }

    /// ERROR with a fault, as Nova shows a build that found no host; an unshelve that found none stays offloaded. Either
    /// holds no claim (the scheduler may have claimed for it before failing, or before a caller gave up on it).
    private func fail(_ id: InstanceID, message: String) async throws {
        _ = try await repository.releaseClaim(instance: id)
        guard let instance = try await repository.instance(id), instance.vmState != .deleted else { return }
        let state: VMState = instance.vmState == .shelvedOffloaded ? .shelvedOffloaded : .error
        let changes = InstanceChanges(vmState: state, taskState: .clear, fault: InstanceFault(code: 500, message: message, created: now))
        _ = try await update(id, changes, expected: nil)
    }

    /// The shelved guest left its host: the claim goes back and the instance waits on no host for an unshelve.
    func offloaded(_ id: InstanceID) async throws {
        _ = try await repository.releaseClaim(instance: id)
        guard var instance = try await repository.instance(id) else { return }
        instance.host = nil
        instance.vmState = .shelvedOffloaded
        instance.taskState = nil
        instance.powerState = .noState
        instance.updatedAt = now
        _ = try await repository.updateInstance(instance, expectedTaskStates: [.shelvingOffloading])
    }

    /// Applies a host's changes if the task state is as expected, and moves the instance's migration along with them.
    /// `current`: the instance as just read, if it was.
    func update(_ id: InstanceID, _ changes: InstanceChanges, expected: [TaskState?]?, current: Instance? = nil) async throws -> Bool {
        let read: Instance?
        if let current { read = current } else { read = try await repository.instance(id) }
        guard let current = read, current.vmState != .deleted else { return false }
        var instance = changes.applied(to: current)
        guard instance != current || changes.migrationStatus != nil else {
            // Delivered again after a conductor died having applied it (the bus delivers at least once): in place.
            return true
        }
        instance.updatedAt = now
        guard try await repository.updateInstance(instance, expectedTaskStates: expected) else { return false }
        if let status = changes.migrationStatus { _ = try await backend.migrations.setMigrationStatus(instance: id, to: status, at: now) }
        // A guest that stopped running has no console any more: its console tokens go (Nova cleans them on stop too).
        let live: Set<PowerState> = [.running, .paused]
        if live.contains(current.powerState) && !live.contains(instance.powerState) || instance.host != current.host {
            try await backend.consoleTokens.revoke(instanceId: id)
        }
        return true
    }

    /// The guest is gone: the instance is deleted and its claim given back.
    func instanceRemoved(_ id: InstanceID) async throws {
        _ = try await repository.releaseClaim(instance: id)
        try await repository.removeMember(id)
        guard var instance = try await repository.instance(id) else { return }
        let time = now
        instance.vmState = .deleted
        instance.taskState = nil
        instance.powerState = .noState
        instance.deletedAt = time
        instance.terminatedAt = time
        instance.updatedAt = time
        _ = try await repository.updateInstance(instance, expectedTaskStates: nil)
        try await backend.consoleTokens.revoke(instanceId: id)
    }

    /// Moves the claim on the instance's host to the new flavor (Nova with `allow_resize_to_same_host`), then sends the
    /// resize to the host. When the host has no room, the instance goes back to its state with a fault.
    func resize(_ message: ResizeInstance) async throws {
        guard let instance = try await repository.instance(message.instanceId), let host = instance.host else { return }
        let new = message.flavor
        let old = instance.flavor
        if !message.reverting {
            _ = try await backend.migrations.createMigration(InstanceMigration(
                uuid: UUID().uuidString.lowercased(), instanceId: instance.id, projectId: instance.projectId, userId: message.credentials.userId,
                sourceCompute: host, destCompute: host, oldFlavorId: old.id, newFlavorId: new.id, createdAt: now
            ))
        }
        let moved = try await repository.claim(ResourceClaim(vcpus: new.vcpus, memoryMB: new.memoryMB, diskGB: instance.hostDiskGB(new)), host: host, instance: instance.id)
        guard moved else {
            let fault = InstanceFault(code: 500, message: "No valid host was found. \(host) has no room for flavor \(new.name).", created: now)
            // A refused revert leaves the resize waiting for confirmation; a refused resize is over.
            let status: InstanceMigration.Status = message.reverting ? .finished : .error
            _ = try await update(instance.id, InstanceChanges(taskState: .clear, fault: fault, migrationStatus: status), expected: nil)
            return
        }
        // A reschedule or a move later places the instance at the size it has now.
        try await backend.requestSpecs.changeRequestSpec(of: instance) { $0.flavor = new }
        try await computeRPC.resize(instance, on: host, to: new, reverting: message.reverting, credentials: message.credentials)
    }

    /// Deletes, on their hosts, the SOFT_DELETED instances deleted more than `interval` seconds ago (Nova's
    /// `reclaim_instance_interval`), as the conductor's own service user.
    public func reclaimQueuedDeletes(olderThan interval: Int) async throws {
        let cutoff = now.adding(seconds: -Int64(interval))
        for var instance in try await repository.instances(vmState: .softDeleted) {
            guard let deletedAt = instance.deletedAt, deletedAt <= cutoff, let host = instance.host else { continue }
            instance.taskState = .deleting
            instance.updatedAt = now
            guard try await repository.updateInstance(instance, expectedTaskStates: [nil]) else { continue }
            let requestId = "req-" + UUID().uuidString.lowercased()
            let credentials = Credentials(
                requestId: requestId, token: serviceToken, userId: UserID("stratus-compute"), userDomainId: .defaultDomain, projectId: instance.projectId,
                roles: ["admin", "member", "reader"]
            )
            try await computeRPC.operate(.delete, instance.id, on: host, credentials: credentials, volumes: instance.volumeAttachments)
        }
    }

    /// Adds or completes an event of an instance action.
    func recordEvent(_ message: RecordActionEvent) async throws {
        guard var action = try await repository.action(message.instanceId, requestId: message.requestId) else { return }
        if let index = action.events.firstIndex(where: { $0.name == message.event.name }) {
            // A finish keeps the time the event started.
            var event = message.event
            event.startTime = action.events[index].startTime
            action.events[index] = event
        } else {
            action.events.append(message.event)
        }
        action.updatedAt = now
        try await repository.updateAction(action)
    }
}
