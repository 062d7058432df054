@testable import Scheduler
import Testing

@Suite("Scale")
struct ScaleTests {
    /// 10,000 hosts in several states of use, some disabled.
    static let hosts = (0..<10_000).map { index in
        HostState(
            host: "fake-\(index)",
            enabled: index % 97 != 0,
            vcpus: Inventory(total: 4, allocationRatio: 2.0, used: index % 9),
            memoryMB: Inventory(total: 16_384, reserved: 512, allocationRatio: 1.5, used: (index % 13) * 1_536),
            diskGB: Inventory(total: 200, used: (index % 7) * 25),
            numInstances: index % 9,
            numIoOps: index % 3
        )
    }

    static let spec = RequestSpec(projectId: project, vcpus: 2, memoryMB: 4_096, rootGB: 20, numInstances: 1_000)

    /// Fails unless every selection names a host that passed ComputeFilter and no host got more than it had room for.
    static func expectWithinCapacity(_ selections: [Selection]) {
        #expect(selections.count == 1_000)
        var placed: [String: Int] = [:]
        for selection in selections { placed[selection.host, default: 0] += 1 }
        for host in hosts where placed[host.host] != nil {
            let count = placed[host.host] ?? 0
            #expect(host.enabled)
            #expect(host.vcpus.free >= count * spec.vcpus && host.memoryMB.free >= count * spec.memoryMB && host.diskGB.free >= count * spec.diskGB)
        }
    }

    @Test func placesAThousandInstancesInOneRequestOverTenThousandHosts() throws {
        var random = SplitMix64(state: 1)
        let scheduler = FilterScheduler(settings: SchedulerSettings(hostSubsetSize: 2))
        let selections = try scheduler.select(Self.spec, from: Self.hosts, alternates: 2, using: &random)
        Self.expectWithinCapacity(selections)
        #expect(selections.allSatisfy { $0.alternates.count == 2 && !$0.alternates.contains($0.host) })
    }

    @Test func placesAThousandSingleRequestsOverTenThousandHosts() throws {
        var random = SplitMix64(state: 2)
        let scheduler = FilterScheduler(settings: SchedulerSettings(hostSubsetSize: 2))
        var hosts = Self.hosts
        var spec = Self.spec
        spec.numInstances = 1
        var selections: [Selection] = []
        for _ in 0..<1_000 {
            let selection = try scheduler.select(spec, from: hosts, alternates: 2, using: &random)[0]
            selections.append(selection)
            let index = try #require(Int(selection.host.dropFirst("fake-".count)))
            hosts[index].consume(spec)  // what the claim and the next resource report would do
        }
        Self.expectWithinCapacity(selections)
    }
}
