import Database
import Foundation
import StratusCore
import StratusTesting
import Testing

@Suite("Resource claims")
struct ClaimRaceTests {
    /// A host with room for exactly ten 1-vCPU instances; thirty racing claims.
    @Test(arguments: TestEngine.allCases)
    func racingClaimsNeverOvercommitAHost(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let now = Timestamp(rawValue: 1_800_000_000_000_000)
            let node = ComputeNode(
                id: "node-1", host: "small", lastHeartbeat: now, hypervisorType: "fake", hypervisorVersion: 1, cpuArchitecture: "x86_64",
                vcpus: 10, memoryMB: 100_000, diskGB: 1000, cpuAllocationRatio: 1.0, reservedMemoryMB: 0, createdAt: now, updatedAt: now
            )
            try await backend.compute.upsertComputeNode(node)
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
}
