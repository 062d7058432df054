/// One frame of a compute host's link to the control plane (a WebSocket the host dials out to `/bus`), as JSON text.
///
/// The host sends `cast`, `call` and `listen` with ids of its own, and `done` for each delivery; the control plane
/// answers `ok` (a cast stored, a listen started), `reply` (a call's answer) or `failed` with the same id, and sends
/// `deliver` for each message of a topic the host listens on, with an id of its own that the host's `done` repeats.
public struct LinkFrame: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        case cast, call, listen, done, ok, reply, failed, deliver
    }

    public var kind: Kind
    public var id: Int64
    public var topic: String?
    public var envelope: Envelope?
    /// A call's timeout in milliseconds.
    public var timeout: Int64?
    /// Why a request failed.
    public var error: String?

    public init(kind: Kind, id: Int64, topic: String? = nil, envelope: Envelope? = nil, timeout: Int64? = nil, error: String? = nil) {
        self.kind = kind
        self.id = id
        self.topic = topic
        self.envelope = envelope
        self.timeout = timeout
        self.error = error
    }
}
