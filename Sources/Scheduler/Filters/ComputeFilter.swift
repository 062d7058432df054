/// Keeps hosts whose compute service is enabled and up.
public struct ComputeFilter: HostFilter {
    public init() {}

    public var name: String { "ComputeFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        host.enabled && host.isUp
    }
}
