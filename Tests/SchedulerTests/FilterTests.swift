@testable import Scheduler
import StratusCore
import Testing

@Suite("Filters")
struct FilterTests {
    @Test func computeFilterKeepsEnabledHostsThatAreUp() {
        let hosts = [makeHost("up"), makeHost("disabled") { $0.enabled = false }, makeHost("down") { $0.isUp = false }]
        #expect(kept(by: ComputeFilter(), hosts, makeSpec()) == ["up"])
    }

    @Test func availabilityZoneFilterReadsAggregatesElseTheHostsZone() {
        let hosts = [
            makeHost("plain"),
            makeHost("az1") { $0.aggregates = [AggregateInfo(id: 1, name: "rack1", metadata: ["availability_zone": "az1"])] },
            makeHost("az2") { $0.aggregates = [AggregateInfo(id: 2, name: "rack2", metadata: ["availability_zone": "az2"])] },
            makeHost("ssd") { $0.aggregates = [AggregateInfo(id: 3, name: "ssd", metadata: ["ssd": "true"])] },
            makeHost("own-az1") { $0.availabilityZone = "az1" },
            makeHost("moved") {
                $0.availabilityZone = "az1"
                $0.aggregates = [AggregateInfo(id: 4, name: "rack4", metadata: ["availability_zone": "az4"])]
            },
        ]
        #expect(kept(by: AvailabilityZoneFilter(), hosts, makeSpec { $0.availabilityZone = "az1" }) == ["az1", "own-az1"])
        #expect(kept(by: AvailabilityZoneFilter(), hosts, makeSpec { $0.availabilityZone = "nova" }) == ["plain", "ssd"])
        #expect(kept(by: AvailabilityZoneFilter(), hosts, makeSpec()).count == hosts.count)
    }

    static let imageHosts = [
        makeHost("x86-fake") { $0.hypervisorVersion = 1_000 },
        makeHost("arm-kvm") {
            $0.cpuArchitecture = "aarch64"
            $0.hypervisorType = "QEMU"
            $0.hypervisorVersion = 8_002_001
            $0.supportedInstances = [
                SupportedInstance(architecture: "aarch64", hypervisorType: "kvm", vmMode: "hvm"),
                SupportedInstance(architecture: "aarch64", hypervisorType: "qemu", vmMode: "hvm"),
            ]
        },
    ]

    @Test(arguments: [
        ([:], ["x86-fake", "arm-kvm"]),
        (["hw_architecture": "x86_64"], ["x86-fake"]),
        (["hw_architecture": "AMD64"], ["x86-fake"]),
        (["architecture": "aarch64"], ["arm-kvm"]),
        (["img_hv_type": "kvm"], ["arm-kvm"]),
        (["hypervisor_type": "QEMU"], ["arm-kvm"]),
        (["img_hv_type": "fake", "hw_architecture": "aarch64"], []),
        (["hw_vm_mode": "hvm"], ["x86-fake", "arm-kvm"]),
        (["hw_vm_mode": "xen"], []),
        (["hw_vm_mode": "hvm", "img_hv_requested_version": ">=2.0"], ["arm-kvm"]),
        (["hw_vm_mode": "hvm", "img_hv_requested_version": ">= 1.0, < 2"], ["x86-fake"]),
        (["img_hv_requested_version": ">=2.0"], ["x86-fake", "arm-kvm"]),  // a version alone asks nothing
    ])
    func imagePropertiesFilterMatchesSupportedInstances(properties: [String: String], expected: [String]) {
        #expect(kept(by: ImagePropertiesFilter(), Self.imageHosts, makeSpec { $0.imageProperties = properties }) == expected)
    }

    static let capabilityHosts = [
        makeHost("qemu", vcpus: 16) {
            $0.hypervisorType = "QEMU"
            $0.capabilities = ["cpu_info:vendor": "Intel"]
        },
        makeHost("fake", vcpus: 8),
    ]

    @Test(arguments: [
        (["capabilities:hypervisor_type": "s== QEMU"], ["qemu"]),
        (["hypervisor_type": "QEMU"], ["qemu"]),  // unscoped, and the host has it
        (["capabilities:cpu_info:vendor": "Intel"], ["qemu"]),  // a host without the capability fails
        (["capabilities:vcpus_total": ">= 16"], ["qemu"]),
        (["capabilities:cpu_info:arch": "x86_64"], ["qemu", "fake"]),
        (["hw:cpu_policy": "dedicated"], ["qemu", "fake"]),  // another scope
        (["no_such_capability": "1"], ["qemu", "fake"]),  // unscoped, and no host has it
    ])
    func computeCapabilitiesFilterMatchesExtraSpecs(extraSpecs: [String: String], expected: [String]) {
        let spec = makeSpec { $0.extraSpecs = extraSpecs }
        #expect(kept(by: ComputeCapabilitiesFilter(), Self.capabilityHosts, spec) == expected)
    }

    static let aggregateHosts = [
        makeHost("ssd") { $0.aggregates = [AggregateInfo(id: 1, name: "fast", metadata: ["ssd": "true, yes", "gpu": "2"])] },
        makeHost("plain"),
    ]

    @Test(arguments: [
        (["aggregate_instance_extra_specs:ssd": "true"], ["ssd"]),
        (["aggregate_instance_extra_specs:ssd": "yes"], ["ssd"]),  // one of the listed values
        (["ssd": "true"], ["ssd"]),  // unscoped keys count too
        (["aggregate_instance_extra_specs:gpu": ">= 1"], ["ssd"]),
        (["aggregate_instance_extra_specs:ssd": "false"], []),
        (["hw:mem_page_size": "large"], ["ssd", "plain"]),  // another scope
    ])
    func aggregateInstanceExtraSpecsFilterMatchesAggregateMetadata(extraSpecs: [String: String], expected: [String]) {
        let spec = makeSpec { $0.extraSpecs = extraSpecs }
        #expect(kept(by: AggregateInstanceExtraSpecsFilter(), Self.aggregateHosts, spec) == expected)
    }

    @Test(arguments: [("project-1", ["tenants-1-2", "open"]), ("project-3", ["tenant-3", "open"]), ("project-9", ["open"])])
    func aggregateMultiTenancyIsolationReservesHostsForListedProjects(project: String, expected: [String]) {
        let hosts = [
            makeHost("tenants-1-2") { $0.aggregates = [AggregateInfo(id: 1, name: "a", metadata: ["filter_tenant_id": "project-1,project-2"])] },
            makeHost("tenant-3") { $0.aggregates = [AggregateInfo(id: 2, name: "b", metadata: ["filter_tenant_id_2": "project-3"])] },
            makeHost("open") { $0.aggregates = [AggregateInfo(id: 3, name: "c", metadata: ["ssd": "true"])] },
        ]
        #expect(kept(by: AggregateMultiTenancyIsolation(), hosts, makeSpec { $0.projectId = ProjectID(project) }) == expected)
    }

    static let groupHosts = [makeHost("a"), makeHost("b"), makeHost("c")]

    @Test func serverGroupAffinityFilterKeepsTheGroupsHosts() {
        let group = ServerGroupInfo(id: "g", policy: .affinity, memberHosts: ["b": 1])
        #expect(kept(by: ServerGroupAffinityFilter(), Self.groupHosts, makeSpec { $0.group = group }) == ["b"])
        let empty = ServerGroupInfo(id: "g", policy: .affinity)
        #expect(kept(by: ServerGroupAffinityFilter(), Self.groupHosts, makeSpec { $0.group = empty }).count == 3)
        let soft = ServerGroupInfo(id: "g", policy: .softAffinity, memberHosts: ["b": 1])
        #expect(kept(by: ServerGroupAffinityFilter(), Self.groupHosts, makeSpec { $0.group = soft }).count == 3)
    }

    @Test func serverGroupAntiAffinityFilterHonoursMaxServerPerHost() {
        var group = ServerGroupInfo(id: "g", policy: .antiAffinity, memberHosts: ["a": 1, "b": 2])
        #expect(kept(by: ServerGroupAntiAffinityFilter(), Self.groupHosts, makeSpec { $0.group = group }) == ["c"])
        group.maxServerPerHost = 2
        #expect(kept(by: ServerGroupAntiAffinityFilter(), Self.groupHosts, makeSpec { $0.group = group }) == ["a", "c"])
        group.policy = .softAntiAffinity
        #expect(kept(by: ServerGroupAntiAffinityFilter(), Self.groupHosts, makeSpec { $0.group = group }).count == 3)
    }

    static let instanceHosts = [makeHost("a") { $0.instances = ["i1", "i2"] }, makeHost("b") { $0.instances = ["i3"] }, makeHost("c")]

    @Test func sameHostFilterKeepsHostsWithANamedInstance() {
        #expect(kept(by: SameHostFilter(), Self.instanceHosts, makeSpec { $0.sameHost = ["i2", "i9"] }) == ["a"])
        #expect(kept(by: SameHostFilter(), Self.instanceHosts, makeSpec()).count == 3)
    }

    @Test func differentHostFilterKeepsHostsWithoutNamedInstances() {
        #expect(kept(by: DifferentHostFilter(), Self.instanceHosts, makeSpec { $0.differentHost = ["i1", "i3"] }) == ["c"])
        #expect(kept(by: DifferentHostFilter(), Self.instanceHosts, makeSpec()).count == 3)
    }

    @Test func numInstancesFilterCapsInstancesPerHost() {
        let hosts = [makeHost("one") { $0.numInstances = 1 }, makeHost("two") { $0.numInstances = 2 }]
        #expect(kept(by: NumInstancesFilter(maxInstancesPerHost: 2), hosts, makeSpec()) == ["one"])
    }

    @Test func ioOpsFilterCapsBusyHosts() {
        let hosts = [makeHost("calm") { $0.numIoOps = 7 }, makeHost("busy") { $0.numIoOps = 8 }]
        #expect(kept(by: IoOpsFilter(), hosts, makeSpec()) == ["calm"])
    }
}
