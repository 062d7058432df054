public import StratusCore

/// conductor -> scheduler: choose and claim a host for each instance, with alternates for rescheduling.
/// For a move: `ignoreHosts` (where it runs now) are not chosen, and `host`, when given, is the one destination
/// considered (the filters still run), in place of any host the boot asked for.
public struct SelectDestinations: RPCRequest {
    public typealias Reply = [HostSelection]
    public static let method = "select_destinations"
    public var instanceIds: [InstanceID]
    @EmptyWhenMissing public var ignoreHosts: [String]
    public var host: String?

    public init(instanceIds: [InstanceID], ignoreHosts: [String] = [], host: String? = nil) {
        self.instanceIds = instanceIds
        self.ignoreHosts = ignoreHosts
        self.host = host
    }
}

/// A host chosen (and claimed) for an instance, and the alternates the conductor may try after a failed build.
public struct HostSelection: Sendable, Codable, Equatable {
    public var instanceId: InstanceID
    public var host: String
    public var alternates: [String]

    public init(instanceId: InstanceID, host: String, alternates: [String]) {
        self.instanceId = instanceId
        self.host = host
        self.alternates = alternates
    }
}
