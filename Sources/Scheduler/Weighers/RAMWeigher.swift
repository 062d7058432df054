/// Prefers hosts with more free memory (placement's free MEMORY_MB); a negative multiplier stacks instead.
public struct RAMWeigher: HostWeigher {
    public init() {}

    public var name: String { "RAMWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        Double(host.memoryMB.free)
    }
}
