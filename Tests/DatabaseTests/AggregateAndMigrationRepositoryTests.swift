import Database
import StratusCore
import StratusTesting
import Testing

@Suite("Aggregate and migration records")
struct AggregateAndMigrationRepositoryTests {
    static let now = Timestamp(rawValue: 1_800_000_000_000_000)

    func node(_ host: String) -> ComputeNode {
        ComputeNode(
            id: ComputeNodeID("node-\(host)"), host: host, lastHeartbeat: Self.now, hypervisorType: "fake", hypervisorVersion: 1,
            cpuArchitecture: "x86_64", vcpus: 4, memoryMB: 8192, diskGB: 100, createdAt: Self.now, updatedAt: Self.now
        )
    }

    /// A report held back by a cut link and delivered after a newer one leaves the newer heartbeat in place.
    @Test(arguments: TestEngine.allCases)
    func aHeartbeatNeverGoesBack(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            var report = node("h1")
            try await backend.compute.upsertComputeNode(report)
            let later = Timestamp(rawValue: Self.now.rawValue + 5_000_000)
            try await backend.compute.heartbeat(host: "h1", at: later)
            try await backend.compute.upsertComputeNode(report)
            #expect(try await backend.compute.computeNode(host: "h1")?.lastHeartbeat == later)
            try await backend.compute.heartbeat(host: "h1", at: Self.now)
            #expect(try await backend.compute.computeNode(host: "h1")?.lastHeartbeat == later)
            report.lastHeartbeat = Timestamp(rawValue: later.rawValue + 1)
            try await backend.compute.upsertComputeNode(report)
            #expect(try await backend.compute.computeNode(host: "h1")?.lastHeartbeat == report.lastHeartbeat)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aggregatesSetTheirHostsZones(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            for host in ["h1", "h2"] { try await backend.compute.upsertComputeNode(node(host)) }
            var zoned = try await backend.aggregates.createAggregate(Aggregate(
                id: 0, uuid: "a-1", name: "zoned", metadata: [Aggregate.zoneKey: "az1"], createdAt: Self.now
            ))
            let plain = try await backend.aggregates.createAggregate(Aggregate(id: 0, uuid: "a-2", name: "plain", createdAt: Self.now))
            #expect(zoned.id > 0 && plain.id > zoned.id)
            await #expect(throws: StratusError.conflict("Aggregate zoned already exists.")) {
                _ = try await backend.aggregates.createAggregate(Aggregate(id: 0, uuid: "a-3", name: "zoned", createdAt: Self.now))
            }

            zoned.hosts = ["h1"]
            zoned.metadata["ssd"] = "yes"
            let withHost = zoned
            try await backend.transaction { tx in try await tx.aggregates.saveAggregate(withHost) }
            #expect(try await backend.aggregates.aggregate(id: zoned.id) == zoned)
            #expect(try await backend.compute.computeNode(host: "h1")?.availabilityZone == "az1")
            #expect(try await backend.compute.computeNode(host: "h2")?.availabilityZone == "nova")

            zoned.hosts = []
            try await backend.aggregates.saveAggregate(zoned)
            #expect(try await backend.compute.computeNode(host: "h1")?.availabilityZone == "nova")
            #expect(try await backend.aggregates.aggregates().map(\.name) == ["zoned", "plain"])
            #expect(try await backend.aggregates.deleteAggregate(id: plain.id))
            #expect(try await backend.aggregates.deleteAggregate(id: plain.id) == false)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func migrationsMoveThroughTheirStatuses(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let instance = InstanceID("i-1")
            let record = InstanceMigration(
                uuid: "m-1", instanceId: instance, projectId: "p", userId: "u", sourceCompute: "h1", destCompute: "h1", oldFlavorId: "1",
                newFlavorId: "2", createdAt: Self.now
            )
            let first = try await backend.migrations.createMigration(record)
            #expect(try await backend.migrations.setMigrationStatus(instance: instance, to: .finished, at: Self.now.adding(seconds: 5)))
            #expect(try await backend.migrations.setMigrationStatus(instance: instance, to: .confirmed, at: Self.now.adding(seconds: 10)))
            #expect(try await backend.migrations.setMigrationStatus(instance: instance, to: .error, at: Self.now) == false)
            var second = record
            second.uuid = "m-2"
            second = try await backend.migrations.createMigration(second)
            #expect(second.id > first.id)

            #expect(try await backend.migrations.migrations(MigrationFilter()).map(\.uuid) == ["m-2", "m-1"])
            var filter = MigrationFilter()
            filter.status = "confirmed"
            filter.host = "h1"
            #expect(try await backend.migrations.migrations(filter).map(\.uuid) == ["m-1"])
            filter = MigrationFilter()
            filter.changedSince = Self.now.adding(seconds: 1)
            #expect(try await backend.migrations.migrations(filter).map(\.uuid) == ["m-1"])
            filter = MigrationFilter()
            filter.changedBefore = Self.now
            filter.projectId = "p"
            #expect(try await backend.migrations.migrations(filter).map(\.uuid) == ["m-2"])
        }
    }
}
