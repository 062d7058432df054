/// No host could take (every instance of) a request; ``reason`` is the instance fault's message.
public struct NoValidHost: Error, Sendable, CustomStringConvertible {
    /// Nova's "No valid host was found. " followed by what Nova only logs: which step removed how many hosts.
    public let reason: String

    public var description: String { reason }
}
