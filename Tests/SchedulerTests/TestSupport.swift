@testable import Scheduler
import StratusCore
import Testing

/// SplitMix64: a tiny deterministic generator, so that random choices repeat from run to run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let project: ProjectID = "project-1"

/// A host with room for a few small instances, changed by `configure`.
func makeHost(_ name: String, vcpus: Int = 8, memoryMB: Int = 16_384, diskGB: Int = 200, _ configure: (inout HostState) -> Void = { _ in })
    -> HostState
{
    var host = HostState(
        host: name,
        vcpus: Inventory(total: vcpus),
        memoryMB: Inventory(total: memoryMB),
        diskGB: Inventory(total: diskGB)
    )
    configure(&host)
    return host
}

/// A one-instance request for 1 vCPU, 512 MB and 1 GB, changed by `configure`.
func makeSpec(_ configure: (inout ScheduleRequest) -> Void = { _ in }) -> ScheduleRequest {
    var spec = ScheduleRequest(projectId: project, vcpus: 1, memoryMB: 512, rootGB: 1)
    configure(&spec)
    return spec
}

/// The names of the hosts `filter` keeps for `spec`, in order, after checking that its one-host and its batch entry
/// points agree.
func kept(by filter: some HostFilter, _ hosts: [HostState], _ spec: ScheduleRequest) -> [String] {
    let passing = hosts.filter { filter.passes($0, spec) }.map(\.host)
    var candidates = Array(hosts.indices)
    filter.removeRejected(from: &candidates, in: hosts, for: spec)
    #expect(candidates.map { hosts[$0].host } == passing, "\(filter.name): removeRejected and passes disagree")
    return passing
}

/// A scheduler with no filters and only `weigher`, at `multiplier`.
func weighingOnly(_ weigher: any HostWeigher, multiplier: Double = 1) -> FilterScheduler {
    FilterScheduler(filters: [], weighers: [(weigher: weigher, multiplier: multiplier)])
}

/// The normalised, multiplied and summed weights `scheduler` gives `hosts` for `spec`, in host order.
func weights(_ scheduler: FilterScheduler, _ hosts: [HostState], _ spec: ScheduleRequest) -> [Double] {
    scheduler.totals(scheduler.rawWeights(Array(hosts.indices), hosts, spec), count: hosts.count)
}
