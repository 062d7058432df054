/// Weighs hosts by their instance count: a positive multiplier packs, a negative one spreads (off by default).
public struct NumInstancesWeigher: HostWeigher {
    public init() {}

    public var name: String { "NumInstancesWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        Double(host.numInstances)
    }
}
