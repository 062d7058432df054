public import StratusCore

/// conductor -> scheduler: choose and claim a host for each instance, with alternates for rescheduling.
public struct SelectDestinations: RPCRequest {
    public typealias Reply = [HostSelection]
    public static let method = "select_destinations"
    public var instanceIds: [InstanceID]

    public init(instanceIds: [InstanceID]) {
        self.instanceIds = instanceIds
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
