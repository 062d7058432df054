import Scheduler
import StratusCore

/// The filter scheduler alone over simulated hosts: `instances` boots of one instance each, every choice taken from
/// its host before the next (as the claim would), then the same number in one multi-create request.
struct ScheduleBenchmark {
    let hosts: Int
    let instances: Int

    /// Hosts in several states of use, like a busy cloud: varied free vCPU, memory and disk, a few disabled.
    var simulatedHosts: [HostState] {
        (0..<hosts).map { index in
            HostState(
                host: "sim-\(index)",
                enabled: index % 97 != 0,
                vcpus: Inventory(total: 64, allocationRatio: 4.0, used: (index % 17) * 8),
                memoryMB: Inventory(total: 262_144, reserved: 512, allocationRatio: 1.5, used: (index % 13) * 8_192),
                diskGB: Inventory(total: 4_096, used: (index % 7) * 100),
                numInstances: index % 40,
                numIoOps: index % 3
            )
        }
    }

    func run() throws {
        let scheduler = FilterScheduler(settings: .default)
        let spec = ScheduleRequest(projectId: ProjectID("bench"), vcpus: 1, memoryMB: 512, rootGB: 1)
        var states = simulatedHosts
        let positions = Dictionary(uniqueKeysWithValues: states.enumerated().map { ($1.host, $0) })
        print("schedule: \(instances) instances over \(hosts) simulated hosts, filters \(SchedulerSettings.defaultFilters.joined(separator: ","))")

        let clock = ContinuousClock()
        var start = clock.now
        for _ in 0..<instances {
            for selection in try scheduler.select(spec, from: states, alternates: 2) {
                if let position = positions[selection.host] { states[position].consume(spec) }
            }
        }
        let separate = clock.now - start
        print("\(instances) separate requests: \(format(separate.milliseconds)) ms in total, \(format(separate.milliseconds * 1000 / Double(instances))) us each")

        var batch = spec
        batch.numInstances = instances
        start = clock.now
        let selections = try scheduler.select(batch, from: simulatedHosts, alternates: 2)
        let together = clock.now - start
        print("one request for \(selections.count) instances: \(format(together.milliseconds)) ms in total")
    }
}
