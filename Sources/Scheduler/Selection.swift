/// The host chosen for one instance, with alternates to reschedule to if the build fails there (Nova's Selection).
public struct Selection: Sendable, Equatable {
    public var host: String
    /// Other hosts that passed the filters for the instance, best first.
    public var alternates: [String]

    public init(host: String, alternates: [String] = []) {
        self.host = host
        self.alternates = alternates
    }
}
