/// Weighs hosts by their I/O-heavy operations; its default negative multiplier prefers idle hosts.
public struct IoOpsWeigher: HostWeigher {
    public init() {}

    public var name: String { "IoOpsWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        Double(host.numIoOps)
    }
}
