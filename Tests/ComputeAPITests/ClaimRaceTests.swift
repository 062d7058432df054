import Database
import Foundation
import StratusCore
import StratusTesting
import Testing

@Suite("Resource claims")
struct ClaimRaceTests {
    static func node(_ host: String, vcpus: Int) -> ComputeNode {
        let now = Timestamp(rawValue: 1_800_000_000_000_000)
        return ComputeNode(
            id: ComputeNodeID("node-\(host)"), host: host, lastHeartbeat: now, hypervisorType: "fake", hypervisorVersion: 1, cpuArchitecture: "x86_64",
            vcpus: vcpus, memoryMB: 100_000, diskGB: 1000, cpuAllocationRatio: 1.0, reservedMemoryMB: 0, createdAt: now, updatedAt: now
        )
    }

    /// A host with room for exactly ten 1-vCPU instances; thirty racing claims.
    @Test(arguments: TestEngine.allCases)
    func racingClaimsNeverOvercommitAHost(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            try await backend.compute.upsertComputeNode(Self.node("small", vcpus: 10))
            let claim = ResourceClaim(vcpus: 1, memoryMB: 512, diskGB: 1)
            let won = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<30 {
                    group.addTask { try await backend.compute.claim(claim, host: "small", instance: InstanceID("i-\(index)")) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(won == 10)
            let stored = try #require(try await backend.compute.computeNode(host: "small"))
            #expect(stored.vcpusUsed == 10 && stored.memoryMBUsed == 5120 && stored.instanceCount == 10)
            // Exactly the ten winners have claims to give back, and then the host is empty again.
            var released = 0
            for index in 0..<30 where try await backend.compute.releaseClaim(instance: InstanceID("i-\(index)")) { released += 1 }
            #expect(released == 10)
            #expect(try await backend.compute.computeNode(host: "small")?.vcpusUsed == 0)
        }
    }

    /// A scheduler that died after claiming, and another that schedules the same instance again: the second claim
    /// replaces the first (placement's allocations per consumer), and one that does not fit leaves the first as it was.
    @Test(arguments: TestEngine.allCases)
    func aClaimReplacesTheInstancesEarlierClaim(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let compute = backend.compute
            try await compute.upsertComputeNode(Self.node("a", vcpus: 4))
            try await compute.upsertComputeNode(Self.node("b", vcpus: 4))
            let instance = InstanceID("i-1")
            #expect(try await compute.claim(ResourceClaim(vcpus: 2, memoryMB: 512, diskGB: 1), host: "a", instance: instance))
            #expect(try await compute.claim(ResourceClaim(vcpus: 3, memoryMB: 512, diskGB: 1), host: "b", instance: instance))
            #expect(try await compute.computeNode(host: "a")?.vcpusUsed == 0)
            #expect(try await compute.computeNode(host: "b")?.vcpusUsed == 3)
            #expect(try await compute.claim(ResourceClaim(vcpus: 5, memoryMB: 512, diskGB: 1), host: "a", instance: instance) == false)
            let b = try #require(try await compute.computeNode(host: "b"))
            #expect(b.vcpusUsed == 3 && b.instanceCount == 1)
            #expect(try await compute.computeNode(host: "a")?.instanceCount == 0)
            #expect(try await compute.releaseClaim(instance: instance))
            #expect(try await compute.computeNode(host: "b")?.vcpusUsed == 0)
        }
    }
}
