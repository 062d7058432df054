@testable import Scheduler
import StratusCore
import Testing

@Suite("Weighers")
struct WeigherTests {
    /// One weigher over hosts a, b and c set up by `configure`, with the normalised weights and the order it gives.
    struct Case: Sendable, CustomTestStringConvertible {
        let weigher: any HostWeigher
        let configure: @Sendable (inout HostState) -> Void
        var group: ServerGroupInfo?
        let normalised: [Double]
        let order: [String]

        var testDescription: String { weigher.name }
    }

    static let cases: [Case] = [
        Case(
            weigher: RAMWeigher(), configure: { $0.memoryMB.used = ["a": 3_072, "b": 0, "c": 2_048][$0.host]! },
            normalised: [0, 1, 1.0 / 3], order: ["b", "c", "a"]
        ),
        Case(
            weigher: CPUWeigher(), configure: { $0.vcpus.used = ["a": 0, "b": 2, "c": 4][$0.host]! },
            normalised: [1, 0.5, 0], order: ["a", "b", "c"]
        ),
        Case(
            weigher: DiskWeigher(), configure: { $0.diskGB.used = ["a": 100, "b": 200, "c": 0][$0.host]! },
            normalised: [0.5, 0, 1], order: ["c", "a", "b"]
        ),
        Case(
            weigher: NumInstancesWeigher(), configure: { $0.numInstances = ["a": 0, "b": 5, "c": 10][$0.host]! },
            normalised: [0, 0.5, 1], order: ["c", "b", "a"]
        ),
        Case(
            weigher: IoOpsWeigher(), configure: { $0.numIoOps = ["a": 2, "b": 0, "c": 4][$0.host]! },
            normalised: [0.5, 0, 1], order: ["c", "a", "b"]
        ),
        Case(
            weigher: ServerGroupSoftAffinityWeigher(), configure: { _ in },
            group: ServerGroupInfo(id: "g", policy: .softAffinity, memberHosts: ["a": 2, "b": 1]),
            normalised: [1, 0.5, 0], order: ["a", "b", "c"]
        ),
        Case(
            weigher: ServerGroupSoftAntiAffinityWeigher(), configure: { _ in },
            group: ServerGroupInfo(id: "g", policy: .softAntiAffinity, memberHosts: ["a": 2, "b": 1]),
            normalised: [0, 0.5, 1], order: ["c", "b", "a"]
        ),
        Case(
            weigher: BuildFailureWeigher(), configure: { $0.failedBuilds = ["a": 0, "b": 3, "c": 1][$0.host]! },
            normalised: [1, 0, 2.0 / 3], order: ["a", "c", "b"]
        ),
    ]

    @Test(arguments: cases)
    func normalisesOverTheHostsAndOrdersThem(_ test: Case) throws {
        let hosts = ["a", "b", "c"].map { makeHost($0, vcpus: 8, memoryMB: 4_096, diskGB: 300, test.configure) }
        let spec = makeSpec { $0.group = test.group }
        #expect(test.weigher.weights(of: [0, 1, 2], in: hosts, for: spec) == hosts.map { test.weigher.weight($0, spec) })
        let scheduler = weighingOnly(test.weigher)
        let normalised = weights(scheduler, hosts, spec)
        #expect(zip(normalised, test.normalised).allSatisfy { abs($0 - $1) < 1e-12 }, "\(normalised)")
        let selection = try #require(try scheduler.select(spec, from: hosts, alternates: 2).first)
        #expect([selection.host] + selection.alternates == test.order)
    }

    @Test(arguments: [RAMWeigher(), ServerGroupSoftAffinityWeigher(), ServerGroupSoftAntiAffinityWeigher()] as [any HostWeigher])
    func equalRawWeightsNormaliseToZero(_ weigher: any HostWeigher) {
        let hosts = ["a", "b", "c"].map { makeHost($0) }
        let otherPolicy = ServerGroupInfo(id: "g", policy: .antiAffinity, memberHosts: ["a": 1])
        #expect(weights(weighingOnly(weigher, multiplier: 5), hosts, makeSpec { $0.group = otherPolicy }) == [0, 0, 0])
    }

    @Test func multipliersScaleAndNegativeOnesReverse() throws {
        let hosts = [makeHost("small", memoryMB: 2_048), makeHost("medium", memoryMB: 4_096), makeHost("large", memoryMB: 8_192)]
        #expect(weights(weighingOnly(RAMWeigher(), multiplier: 3), hosts, makeSpec()) == [0, 1, 3])
        let stacking = try weighingOnly(RAMWeigher(), multiplier: -1).select(makeSpec(), from: hosts, alternates: 2)
        #expect(stacking == [Selection(host: "small", alternates: ["medium", "large"])])
    }

    @Test func weighersAddUp() throws {
        // RAM prefers "roomy", I/O ops (multiplier -1) prefer "idle"; twice the I/O multiplier wins.
        let hosts = [makeHost("roomy", memoryMB: 32_768) { $0.numIoOps = 4 }, makeHost("idle", memoryMB: 16_384)]
        let even = FilterScheduler(filters: [], weighers: [(RAMWeigher(), 1), (IoOpsWeigher(), -1)])
        #expect(weights(even, hosts, makeSpec()) == [0, 0])
        let calm = FilterScheduler(filters: [], weighers: [(RAMWeigher(), 1), (IoOpsWeigher(), -2)])
        #expect(weights(calm, hosts, makeSpec()) == [-1, 0])
        #expect(try calm.select(makeSpec(), from: hosts).map(\.host) == ["idle"])
    }

    @Test func recentBuildFailuresOutweighEverythingByDefault() throws {
        let hosts = [makeHost("roomy-but-failing", vcpus: 64, memoryMB: 262_144, diskGB: 4_000) { $0.failedBuilds = 1 }, makeHost("modest")]
        #expect(try FilterScheduler().select(makeSpec(), from: hosts).map(\.host) == ["modest"])
    }
}
