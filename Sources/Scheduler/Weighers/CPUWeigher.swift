/// Prefers hosts with more free vCPUs (placement's free VCPU); a negative multiplier stacks instead.
public struct CPUWeigher: HostWeigher {
    public init() {}

    public var name: String { "CPUWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        Double(host.vcpus.free)
    }
}
