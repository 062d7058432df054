public import StratusCore

/// The server group a request's instances join, as far as the scheduler needs it.
public struct ServerGroupInfo: Sendable {
    /// Nova's server group policies, with their wire names.
    public enum Policy: String, Sendable {
        case affinity
        case antiAffinity = "anti-affinity"
        case softAffinity = "soft-affinity"
        case softAntiAffinity = "soft-anti-affinity"
    }

    public var id: ServerGroupID
    public var policy: Policy
    /// The anti-affinity rule `max_server_per_host`; nil means 1.
    public var maxServerPerHost: Int?
    /// Host name to the number of the group's instances on it; hosts without members are absent.
    public var memberHosts: [String: Int]

    public init(id: ServerGroupID, policy: Policy, maxServerPerHost: Int? = nil, memberHosts: [String: Int] = [:]) {
        self.id = id
        self.policy = policy
        self.maxServerPerHost = maxServerPerHost
        self.memberHosts = memberHosts
    }

    /// How many of the group's instances run on `host`.
    func members(on host: String) -> Int {
        memberHosts[host] ?? 0
    }
}
