/// Prefers hosts with more free disk (placement's free DISK_GB); a negative multiplier stacks instead.
public struct DiskWeigher: HostWeigher {
    public init() {}

    public var name: String { "DiskWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        Double(host.diskGB.free)
    }
}
