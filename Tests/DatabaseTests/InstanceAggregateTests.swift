import Database
import StratusCore
import StratusTesting
import Testing

/// The aggregates quotas and the scheduler read instead of decoding instance records.
@Suite("Instance aggregates")
struct InstanceAggregateTests {
    static let small = Flavor(id: "small", name: "small", vcpus: 1, memoryMB: 512, rootGB: 1, createdAt: Timestamp(rawValue: 0))
    static let large = Flavor(id: "large", name: "large", vcpus: 4, memoryMB: 8192, rootGB: 40, createdAt: Timestamp(rawValue: 0))

    static func instance(_ project: ProjectID, _ flavor: Flavor, host: String? = nil, vmState: VMState = .active, taskState: TaskState? = nil) -> Instance {
        let id = InstanceID(UUIDHex.random())
        return Instance(
            id: id, name: "vm", projectId: project, userId: "user", imageId: nil, flavor: InstanceFlavor(flavor), host: host, vmState: vmState,
            taskState: taskState, hostname: "vm", reservationId: "r-1", createdAt: Timestamp(rawValue: 0), updatedAt: Timestamp(rawValue: 0)
        )
    }

    @Test(arguments: TestEngine.allCases)
    func usageCountsTheProjectsInstancesNotDeleted(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let compute = backend.compute
            #expect(try await compute.instanceUsage(project: "a") == InstanceUsage(instances: 0, vcpus: 0, memoryMB: 0))
            for instance in [
                Self.instance("a", Self.small), Self.instance("a", Self.large, host: "h1"), Self.instance("a", Self.large, vmState: .deleted),
                Self.instance("b", Self.large),
            ] {
                try await compute.createInstance(instance)
            }
            #expect(try await compute.instanceUsage(project: "a") == InstanceUsage(instances: 2, vcpus: 5, memoryMB: 8704))
            #expect(try await compute.instanceUsage(project: "b") == InstanceUsage(instances: 1, vcpus: 4, memoryMB: 8192))
        }
    }

    @Test(arguments: TestEngine.allCases)
    func busyCountsAndHostsOfPlacedInstances(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let compute = backend.compute
            let building = Self.instance("a", Self.small, host: "h1", vmState: .building, taskState: .spawning)
            let resizing = Self.instance("a", Self.small, host: "h1", taskState: .resizePrep)
            let idle = Self.instance("a", Self.small, host: "h2")
            let unplaced = Self.instance("a", Self.small, vmState: .building, taskState: .scheduling)
            let gone = Self.instance("a", Self.small, host: "h2", vmState: .deleted, taskState: .deleting)
            for instance in [building, resizing, idle, unplaced, gone] { try await compute.createInstance(instance) }
            #expect(try await compute.busyInstanceCounts() == ["h1": 2])
            #expect(try await compute.hosts(of: [building.id, idle.id, unplaced.id, gone.id]) == [building.id: "h1", idle.id: "h2"])
            #expect(try await compute.hosts(of: []).isEmpty)
        }
    }
}
