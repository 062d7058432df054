public import Database
import Foundation
public import Logging
public import Messaging
public import StratusCore

/// nova-scheduler as a service: host states from the compute nodes, the filter scheduler's choice, then an atomic
/// claim on the chosen host (an alternate when a racing boot took the room first).
public struct SchedulerService: Sendable {
    let backend: any SQLBackend
    let scheduler: FilterScheduler
    let clock: any WallClock
    /// Seconds without a heartbeat after which a host is down (Nova's `service_down_time`).
    let serviceDownTime: Double
    /// Builds per instance, counting reschedules (Nova's `max_attempts`): the alternates are one fewer.
    let maxAttempts: Int
    let logger: Logger

    public init(
        backend: any SQLBackend, settings: SchedulerSettings = .default, clock: any WallClock, serviceDownTime: Double = ComputeNode.serviceDownTime,
        maxAttempts: Int = 3, logger: Logger
    ) {
        self.backend = backend
        self.scheduler = FilterScheduler(settings: settings)
        self.clock = clock
        self.serviceDownTime = serviceDownTime
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    var repository: any ComputeRepository { backend.compute }

    public func server(transport: any MessageTransport) -> RPCServer {
        var server = RPCServer(topic: Topic.scheduler, transport: transport) { [logger] method, error in
            logger.warning("scheduler: \(method) failed: \(error)")
        }
        server.answer(SelectDestinations.self) { message, _ in try await select(message.instanceIds, ignoring: message.ignoreHosts, host: message.host) }
        return server
    }

    /// Hosts for the instances of one request (they share flavor, zone and group), each claimed. A move passes the
    /// hosts to leave out (`ignoring`) and the one it asks for (`host`), which replaces the boot's requested host.
    func select(_ ids: [InstanceID], ignoring: [String] = [], host: String? = nil) async throws -> [HostSelection] {
        var instances: [Instance] = []
        for id in ids {
            if let instance = try await repository.instance(id) { instances.append(instance) }
        }
        guard let first = instances.first else { return [] }
        let asked = try await backend.requestSpecs.requestSpec(instance: first.id) ?? RequestSpec(of: first)
        let flavor = asked.flavor
        let spec = ScheduleRequest(
            projectId: asked.projectId, vcpus: flavor.vcpus, memoryMB: flavor.memoryMB, rootGB: asked.isVolumeBacked ? 0 : flavor.rootGB,
            ephemeralGB: flavor.ephemeralGB, swapMB: flavor.swapMB, extraSpecs: flavor.extraSpecs, imageProperties: asked.imageProperties,
            availabilityZone: asked.availabilityZone, numInstances: instances.count, sameHost: Set(asked.sameHost),
            differentHost: Set(asked.differentHost), group: try await groupInfo(asked.serverGroupId, excluding: Set(ids)),
            ignoreHosts: Set(ignoring), requestedHost: ignoring.isEmpty ? asked.requestedHost : host
        )
        let hosts = try await hostStates(placing: spec.sameHost.union(spec.differentHost))
        var random = SystemRandomNumberGenerator()
        let selections: [Selection]
        do {
            selections = try scheduler.select(spec, from: hosts, alternates: maxAttempts - 1, using: &random)
        } catch {
            throw RemoteFault(status: 500, message: error.reason)
        }
        let claim = ResourceClaim(vcpus: spec.vcpus, memoryMB: spec.memoryMB, diskGB: spec.diskGB)
        var result: [HostSelection] = []
        for (instance, selection) in zip(instances, selections) {
            var candidates = [selection.host] + selection.alternates
            var claimed: String?
            while claimed == nil, !candidates.isEmpty {
                let host = candidates.removeFirst()
                if try await repository.claim(claim, host: host, instance: instance.id) { claimed = host }
            }
            guard let claimed else {
                throw RemoteFault(status: 500, message: "No valid host was found. Every chosen host was filled by concurrent requests.")
            }
            result.append(HostSelection(instanceId: instance.id, host: claimed, alternates: candidates))
        }
        return result
    }

    /// The group's policy and where its other members run.
    func groupInfo(_ id: ServerGroupID?, excluding: Set<InstanceID>) async throws -> ServerGroupInfo? {
        guard let id, let group = try await repository.serverGroup(id) else { return nil }
        let members = try await repository.members(of: id).filter { !excluding.contains($0) }
        var memberHosts: [String: Int] = [:]
        for host in try await repository.hosts(of: members).values { memberHosts[host, default: 0] += 1 }
        let policy = ServerGroupInfo.Policy(rawValue: group.policy.rawValue) ?? .antiAffinity
        return ServerGroupInfo(id: id, policy: policy, maxServerPerHost: group.maxServerPerHost, memberHosts: memberHosts)
    }

    /// Every compute node as the filters see it: capacity and usage (the node's counters, which claims keep),
    /// liveness, the instances in a task state, and where the instances of `hinted` (same_host and different_host
    /// hints) run; the other instances on a host do not matter to any filter or weigher.
    func hostStates(placing hinted: Set<InstanceID> = []) async throws -> [HostState] {
        let now = Timestamp(clock.now())
        let busy = try await repository.busyInstanceCounts()
        var placed: [String: Set<InstanceID>] = [:]
        for (id, host) in try await repository.hosts(of: Array(hinted)) { placed[host, default: []].insert(id) }
        let aggregates = AggregateInfo.byHost(try await backend.aggregates.aggregates())
        return try await repository.computeNodes().map { node in
            HostState(
                host: node.host, availabilityZone: node.availabilityZone, aggregates: aggregates[node.host] ?? [], enabled: !node.disabled,
                isUp: node.isUp(at: now, downTime: serviceDownTime),
                vcpus: Inventory(total: node.vcpus, allocationRatio: node.cpuAllocationRatio, used: node.vcpusUsed),
                memoryMB: Inventory(total: node.memoryMB, reserved: node.reservedMemoryMB, allocationRatio: node.ramAllocationRatio, used: node.memoryMBUsed),
                diskGB: Inventory(total: node.diskGB, allocationRatio: node.diskAllocationRatio, used: node.diskGBUsed),
                numInstances: node.instanceCount,
                numIoOps: busy[node.host] ?? 0,
                instances: placed[node.host] ?? [],
                hypervisorType: node.hypervisorType, hypervisorVersion: node.hypervisorVersion, cpuArchitecture: node.cpuArchitecture
            )
        }
    }
}
