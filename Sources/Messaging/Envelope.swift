/// One message on the bus: the method it invokes and its JSON-encoded arguments, never shared memory, so the
/// in-process transport and a database-backed one carry exactly the same bytes.
public struct Envelope: Sendable, Codable, Equatable {
    public var method: String
    public var payload: [UInt8]
    /// The API request that caused it, so every service logs under the same id.
    public var requestId: String?
    /// Set on a reply when the handler failed.
    public var fault: RemoteFault?
    /// The compute host that sent it, stamped by the control plane's end of the host's link (whatever the host said);
    /// nil for a message of the control plane itself.
    public var sender: String?
    /// The hold of the consumer this copy was delivered to (set by a durable transport on delivery; never sent): a
    /// handler that changes things outside the bus checks it in the same transaction, so a handler that lost its
    /// message to another consumer (its lease ran out while it was cut off from the database) changes nothing.
    public var delivery: Delivery?

    public struct Delivery: Sendable, Codable, Equatable {
        public var messageId: Int64
        public var owner: String

        public init(messageId: Int64, owner: String) {
            self.messageId = messageId
            self.owner = owner
        }
    }

    enum CodingKeys: String, CodingKey {
        case method, payload, requestId, fault, sender
    }

    public init(method: String, payload: [UInt8], requestId: String? = nil, fault: RemoteFault? = nil, sender: String? = nil) {
        self.method = method
        self.payload = payload
        self.requestId = requestId
        self.fault = fault
        self.sender = sender
    }
}

/// A failure of the remote side of a call, as the caller sees it: an HTTP-like status and a client-safe message
/// (the status and message of a `StratusError`; 500 and a generic message for anything else).
public struct RemoteFault: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    public var status: Int
    public var message: String

    public init(status: Int, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status): \(message)" }
}

/// Failures of the bus itself.
public enum MessagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No reply within the call's time limit.
    case timedOut(method: String, topic: String)
    /// A second listener on a topic that already has one.
    case topicTaken(String)
    /// No handler for the method on the topic's server.
    case unknownMethod(String)

    public var description: String {
        switch self {
        case .timedOut(let method, let topic): "no reply to \(method) on \(topic) in time"
        case .topicTaken(let topic): "topic \(topic) already has a listener"
        case .unknownMethod(let method): "no handler for \(method)"
        }
    }
}
