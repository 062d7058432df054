/// Holds recent build failures against a host; its large default multiplier makes them outweigh everything else.
public struct BuildFailureWeigher: HostWeigher {
    public init() {}

    public var name: String { "BuildFailureWeigher" }

    public func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double {
        -Double(host.failedBuilds)
    }
}
