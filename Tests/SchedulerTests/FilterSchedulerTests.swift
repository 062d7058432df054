@testable import Scheduler
import StratusCore
import Testing

@Suite("Filter scheduler")
struct FilterSchedulerTests {
    @Test func settingsNameNovasDefaultsAndUnknownNames() {
        let scheduler = FilterScheduler()
        #expect(scheduler.filters.map(\.name) == SchedulerSettings.defaultFilters)
        #expect(scheduler.weighers.count == 7)  // NumInstancesWeigher's 0 drops it
        #expect(scheduler.hostSubsetSize == 1)
        #expect(SchedulerSettings.default.unknownNames.isEmpty)
        let settings = SchedulerSettings(
            enabledFilters: ["ComputeFilter", "RamFilter", "NumInstancesFilter", "IoOpsFilter"],
            weigherMultipliers: ["RAMWeigher": 2, "MetricsWeigher": 1],
            maxInstancesPerHost: 3
        )
        #expect(settings.unknownNames == ["RamFilter", "MetricsWeigher"])
        var valid = settings
        valid.enabledFilters.removeAll { $0 == "RamFilter" }
        valid.weigherMultipliers["MetricsWeigher"] = nil
        let configured = FilterScheduler(settings: valid)
        #expect(configured.filters.map(\.name) == ["ComputeFilter", "NumInstancesFilter", "IoOpsFilter"])
        #expect((configured.filters[1] as? NumInstancesFilter)?.maxInstancesPerHost == 3)
        #expect(configured.weighers.map(\.weigher.name) == ["RAMWeigher"])
    }

    @Test func candidatesAreHostsNotTriedYetWithRoomForTheRequest() throws {
        let hosts = [
            makeHost("tried", vcpus: 64),
            makeHost("few-cpus", vcpus: 2),
            makeHost("little-ram", vcpus: 8, memoryMB: 1_024),
            makeHost("small-disk", diskGB: 10),
            makeHost("fits", vcpus: 4),
        ]
        let spec = makeSpec { $0.vcpus = 4; $0.memoryMB = 2_048; $0.rootGB = 20; $0.ignoreHosts = ["tried"] }
        #expect(try FilterScheduler().select(spec, from: hosts, alternates: 3) == [Selection(host: "fits")])
    }

    @Test func picksAtRandomAmongTheBestHostSubset() throws {
        let hosts = (0..<6).map { makeHost("host-\($0)", memoryMB: 1_024 * ($0 + 1)) }  // host-5 has the most RAM
        let scheduler = FilterScheduler(settings: SchedulerSettings(hostSubsetSize: 3))
        var random = SplitMix64(state: 42)
        let picks = try (0..<60).map { _ in try scheduler.select(makeSpec(), from: hosts, alternates: 0, using: &random)[0].host }
        #expect(Set(picks) == ["host-5", "host-4", "host-3"])
        var again = SplitMix64(state: 42)
        let repeated = try (0..<60).map { _ in try scheduler.select(makeSpec(), from: hosts, alternates: 0, using: &again)[0].host }
        #expect(repeated == picks)
        // With a subset of 1 the best host always wins.
        #expect(try FilterScheduler().select(makeSpec(), from: hosts, alternates: 0, using: &random)[0].host == "host-5")
    }

    @Test func alternatesArePassingHostsInWeightOrder() throws {
        let hosts = [
            makeHost("third", memoryMB: 4_096),
            makeHost("first", memoryMB: 16_384),
            makeHost("disabled", memoryMB: 65_536) { $0.enabled = false },
            makeHost("second", memoryMB: 8_192),
            makeHost("fourth", memoryMB: 2_048),
        ]
        let scheduler = FilterScheduler()
        #expect(try scheduler.select(makeSpec(), from: hosts, alternates: 2) == [Selection(host: "first", alternates: ["second", "third"])])
        #expect(try scheduler.select(makeSpec(), from: hosts, alternates: 10)[0].alternates == ["second", "third", "fourth"])
        #expect(try scheduler.select(makeSpec(), from: hosts, alternates: 0)[0].alternates.isEmpty)
        // With a subset the pick may be any of the best; the alternates are the rest in order.
        var random = SplitMix64(state: 7)
        let subset = FilterScheduler(settings: SchedulerSettings(hostSubsetSize: 4))
        for _ in 0..<20 {
            let selection = try subset.select(makeSpec(), from: hosts, alternates: 3, using: &random)[0]
            #expect(selection.alternates == ["first", "second", "third", "fourth"].filter { $0 != selection.host })
        }
    }

    @Test func eachInstanceGetsItsOwnAlternates() throws {
        let hosts = ["a", "b", "c"].map { makeHost($0) }
        let spec = makeSpec { $0.numInstances = 3; $0.group = ServerGroupInfo(id: "g", policy: .antiAffinity) }
        let selections = try FilterScheduler().select(spec, from: hosts, alternates: 2)
        #expect(selections.map(\.host) == ["a", "b", "c"])
        #expect(selections.map(\.alternates) == [["b", "c"], ["c"], []])  // hosts holding a member fail the filter
    }

    @Test func antiAffinitySpreadsARequestsInstances() throws {
        let hosts = (0..<4).map { makeHost("host-\($0)", memoryMB: 16_384 + 1_024 * $0) }
        var spec = makeSpec { $0.numInstances = 3; $0.group = ServerGroupInfo(id: "g", policy: .antiAffinity) }
        let spread = try FilterScheduler().select(spec, from: hosts, alternates: 0)
        #expect(spread.map(\.host) == ["host-3", "host-2", "host-1"])

        spec.numInstances = 4
        spec.group?.maxServerPerHost = 2
        let pairs = try FilterScheduler().select(spec, from: Array(hosts.prefix(2)), alternates: 0)
        #expect(pairs.map(\.host).sorted() == ["host-0", "host-0", "host-1", "host-1"])

        spec.numInstances = 5
        #expect(throws: NoValidHost.self) { try FilterScheduler().select(spec, from: Array(hosts.prefix(2)), alternates: 0) }
    }

    @Test func affinityPacksARequestsInstancesOnItsFirstChoice() throws {
        let hosts = (0..<4).map { makeHost("host-\($0)", memoryMB: 16_384 + 1_024 * $0) }
        let spec = makeSpec { $0.numInstances = 3; $0.memoryMB = 4_096; $0.group = ServerGroupInfo(id: "g", policy: .affinity) }
        // After the first instance host-3 has less free RAM than the others; affinity keeps it anyway.
        #expect(try FilterScheduler().select(spec, from: hosts, alternates: 1).map(\.host) == ["host-3", "host-3", "host-3"])
        // A group that already has a member stays with it.
        let placed = makeSpec { $0.group = ServerGroupInfo(id: "g", policy: .affinity, memberHosts: ["host-0": 1]) }
        #expect(try FilterScheduler().select(placed, from: hosts, alternates: 1) == [Selection(host: "host-0")])
    }

    @Test func softPoliciesSpreadOrPackThroughWeights() throws {
        let hosts = ["a", "b", "c"].map { makeHost($0) }
        let only = { (weigher: any HostWeigher) in FilterScheduler(filters: [], weighers: [(weigher: weigher, multiplier: 1)]) }
        let spreading = makeSpec { $0.numInstances = 3; $0.group = ServerGroupInfo(id: "g", policy: .softAntiAffinity) }
        #expect(try only(ServerGroupSoftAntiAffinityWeigher()).select(spreading, from: hosts).map(\.host) == ["a", "b", "c"])
        let packing = makeSpec { $0.numInstances = 3; $0.group = ServerGroupInfo(id: "g", policy: .softAffinity) }
        #expect(try only(ServerGroupSoftAffinityWeigher()).select(packing, from: hosts).map(\.host) == ["a", "a", "a"])
    }

    @Test func laterInstancesOfARequestSeeEarlierOnesInTheWeights() throws {
        // Equal hosts with room to spare: each placement makes its host the less attractive one.
        let hosts = [makeHost("a"), makeHost("b")]
        #expect(try FilterScheduler().select(makeSpec { $0.numInstances = 4 }, from: hosts).map(\.host) == ["a", "b", "a", "b"])
    }

    @Test func placedInstancesUseUpTheirHost() throws {
        // Two hosts that take one instance each: RAM weighing alternates, then the third instance finds no room.
        let hosts = [makeHost("a", vcpus: 2, memoryMB: 4_096), makeHost("b", vcpus: 2, memoryMB: 4_096)]
        var spec = makeSpec { $0.vcpus = 2; $0.memoryMB = 2_048; $0.numInstances = 2 }
        let selections = try FilterScheduler().select(spec, from: hosts, alternates: 1)
        #expect(selections == [Selection(host: "a", alternates: ["b"]), Selection(host: "b")])
        spec.numInstances = 3
        let error = try #require(throws: NoValidHost.self) { try FilterScheduler().select(spec, from: hosts, alternates: 1) }
        #expect(
            error.reason
                == "No valid host was found. There are not enough hosts available for instance 3 of 3. 2 hosts: 2 lacked resources "
                + "(VCPU, MEMORY_MB or DISK_GB)."
        )
        // Instance limits count the request's own instances too.
        let settings = SchedulerSettings(enabledFilters: ["NumInstancesFilter"], maxInstancesPerHost: 2)
        let limited = makeSpec { $0.numInstances = 3 }
        let busy = [makeHost("x") { $0.numInstances = 1 }, makeHost("y")]
        #expect(try FilterScheduler(settings: settings).select(limited, from: busy, alternates: 0).map(\.host) == ["x", "y", "y"])
    }

    @Test func aRequestedHostIsTheOnlyCandidateAndStillFiltered() throws {
        let hosts = [makeHost("a"), makeHost("b"), makeHost("small", vcpus: 0)]
        let spec = makeSpec { $0.requestedHost = "b"; $0.numInstances = 2 }
        #expect(try FilterScheduler().select(spec, from: hosts, alternates: 2).map(\.host) == ["b", "b"])
        #expect(try FilterScheduler().select(spec, from: hosts, alternates: 2).allSatisfy { $0.alternates.isEmpty })
        let full = makeSpec { $0.requestedHost = "small" }
        let error = #expect(throws: NoValidHost.self) { try FilterScheduler().select(full, from: hosts, alternates: 0) }
        #expect(error?.reason == "No valid host was found. There are not enough hosts available. 3 hosts: 2 not the requested host, "
            + "1 lacked resources (VCPU, MEMORY_MB or DISK_GB).")
    }

    @Test func noValidHostNamesEachStepThatRemovedHosts() {
        let zone = [AggregateInfo(id: 1, name: "rack", metadata: ["availability_zone": "az1"])]
        let hosts = [
            makeHost("tried") { $0.aggregates = zone },
            makeHost("full", vcpus: 0) { $0.aggregates = zone },
            makeHost("disabled") { $0.aggregates = zone; $0.enabled = false },
            makeHost("elsewhere-1"),
            makeHost("elsewhere-2"),
        ]
        let spec = makeSpec { $0.availabilityZone = "az1"; $0.ignoreHosts = ["tried"] }
        let error = #expect(throws: NoValidHost.self) { try FilterScheduler().select(spec, from: hosts, alternates: 0) }
        #expect(
            error?.description
                == "No valid host was found. There are not enough hosts available. 5 hosts: 1 already tried, 1 lacked resources "
                + "(VCPU, MEMORY_MB or DISK_GB), AvailabilityZoneFilter removed 2, ComputeFilter removed 1."
        )
        let none = #expect(throws: NoValidHost.self) { try FilterScheduler().select(spec, from: [], alternates: 0) }
        #expect(none?.reason == "No valid host was found. There are not enough hosts available: there are no compute hosts.")
    }

    @Test func filtersStopOnceNoHostIsLeft() throws {
        let hosts = [makeHost("down") { $0.isUp = false }]
        let scheduler = FilterScheduler(settings: SchedulerSettings(enabledFilters: ["ComputeFilter", "NumInstancesFilter"]))
        let error = try #require(throws: NoValidHost.self) { try scheduler.select(makeSpec(), from: hosts, alternates: 0) }
        #expect(error.reason.hasSuffix("1 host: ComputeFilter removed 1."))
    }
}
