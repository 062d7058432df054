@testable import Scheduler
import Testing

@Suite("Scale")
struct ScaleTests {
    /// 10,000 hosts in several states of use, some disabled: half have no vCPU left for the request, a quarter room for
    /// one instance and a quarter for two.
    static let hosts = (0..<10_000).map { index in
        HostState(
            host: "fake-\(index)",
            enabled: index % 97 != 0,
            vcpus: Inventory(total: 4, allocationRatio: 2.0, used: [4, 8, 6, 8][index % 4]),
            memoryMB: Inventory(total: 16_384, reserved: 512, allocationRatio: 1.5, used: (index % 13) * 1_024),
            diskGB: Inventory(total: 200, used: (index % 7) * 20),
            numInstances: index % 9,
            numIoOps: index % 3
        )
    }

    static let spec = ScheduleRequest(projectId: project, vcpus: 2, memoryMB: 4_096, rootGB: 20, numInstances: 1_000)

    @Test func placesAThousandInstancesInOneRequestOverTenThousandHosts() throws {
        var random = SplitMix64(state: 1)
        let scheduler = FilterScheduler(settings: SchedulerSettings(hostSubsetSize: 2))
        let selections = try scheduler.select(Self.spec, from: Self.hosts, alternates: 2, using: &random)
        #expect(selections.count == 1_000)
        #expect(selections.allSatisfy { $0.alternates.count == 2 && !$0.alternates.contains($0.host) })
        var placed: [String: Int] = [:]
        for selection in selections { placed[selection.host, default: 0] += 1 }
        #expect(placed.count > 1)
        for host in Self.hosts {
            guard let count = placed[host.host] else { continue }
            #expect(host.enabled)
            #expect(host.vcpus.free >= count * Self.spec.vcpus)
            #expect(host.memoryMB.free >= count * Self.spec.memoryMB)
            #expect(host.diskGB.free >= count * Self.spec.diskGB)
        }
    }
}
