/// A compute host as the control plane records it: its service (`nova-compute`) and its resources.
public struct ComputeNode: Sendable, Codable, Equatable {
    public var id: ComputeNodeID
    public var host: String
    public var availabilityZone: String
    public var disabled: Bool
    public var disabledReason: String?
    public var forcedDown: Bool
    public var lastHeartbeat: Timestamp
    public var hypervisorType: String
    public var hypervisorVersion: Int
    public var cpuArchitecture: String
    /// What the host's guests run on (`tcg`, `kvm`), for drivers with a choice.
    public var accelerator: String?
    public var vcpus: Int
    public var memoryMB: Int
    public var diskGB: Int
    public var vcpusUsed: Int
    public var memoryMBUsed: Int
    public var diskGBUsed: Int
    public var instanceCount: Int
    public var cpuAllocationRatio: Double
    public var ramAllocationRatio: Double
    public var diskAllocationRatio: Double
    public var reservedMemoryMB: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(
        id: ComputeNodeID, host: String, availabilityZone: String = "nova", disabled: Bool = false, disabledReason: String? = nil,
        forcedDown: Bool = false, lastHeartbeat: Timestamp, hypervisorType: String, hypervisorVersion: Int, cpuArchitecture: String,
        accelerator: String? = nil,
        vcpus: Int, memoryMB: Int, diskGB: Int, vcpusUsed: Int = 0, memoryMBUsed: Int = 0, diskGBUsed: Int = 0, instanceCount: Int = 0,
        cpuAllocationRatio: Double = 4.0, ramAllocationRatio: Double = 1.0, diskAllocationRatio: Double = 1.0, reservedMemoryMB: Int = 512,
        createdAt: Timestamp, updatedAt: Timestamp
    ) {
        self.id = id
        self.host = host
        self.availabilityZone = availabilityZone
        self.disabled = disabled
        self.disabledReason = disabledReason
        self.forcedDown = forcedDown
        self.lastHeartbeat = lastHeartbeat
        self.hypervisorType = hypervisorType
        self.hypervisorVersion = hypervisorVersion
        self.cpuArchitecture = cpuArchitecture
        self.accelerator = accelerator
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.diskGB = diskGB
        self.vcpusUsed = vcpusUsed
        self.memoryMBUsed = memoryMBUsed
        self.diskGBUsed = diskGBUsed
        self.instanceCount = instanceCount
        self.cpuAllocationRatio = cpuAllocationRatio
        self.ramAllocationRatio = ramAllocationRatio
        self.diskAllocationRatio = diskAllocationRatio
        self.reservedMemoryMB = reservedMemoryMB
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension ComputeNode {
    /// Seconds without a heartbeat after which a host's service is down (Nova's `service_down_time`).
    public static let serviceDownTime: Double = 60

    /// Whether the host's service is up at `now`: not forced down, and heard from within `downTime` seconds.
    public func isUp(at now: Timestamp, downTime: Double = serviceDownTime) -> Bool {
        !forcedDown && Double(now.rawValue - lastHeartbeat.rawValue) / 1_000_000 < downTime
    }
}
