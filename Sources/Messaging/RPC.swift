import Foundation
public import ServiceLifecycle
import StratusCore

/// A message one service sends another: `method` names it on the wire.
public protocol RPCMessage: Codable, Sendable {
    static var method: String { get }
}

/// A message that is answered.
public protocol RPCRequest: RPCMessage {
    associatedtype Reply: Codable & Sendable
}

/// An empty reply, for calls that only confirm.
public struct Done: Codable, Sendable, Equatable {
    public init() {}
}

/// Sends typed messages over a transport.
public struct RPCClient: Sendable {
    let transport: any MessageTransport
    let timeout: Duration
    /// The compute host sending, on a host's link (see `Envelope.sender`); nil in the control plane.
    let sender: String?

    public init(transport: any MessageTransport, timeout: Duration = .seconds(60), sender: String? = nil) {
        self.transport = transport
        self.timeout = timeout
        self.sender = sender
    }

    /// Fire and forget.
    public func cast<M: RPCMessage>(_ message: M, to topic: String, requestId: String? = nil) async throws {
        var envelope = try Envelope(message, requestId: requestId)
        envelope.sender = sender
        try await transport.cast(envelope, topic: topic)
    }

    /// Sends and waits for the reply; the remote handler's failure is rethrown as a `RemoteFault`.
    public func call<M: RPCRequest>(_ message: M, to topic: String, requestId: String? = nil) async throws -> M.Reply {
        var envelope = try Envelope(message, requestId: requestId)
        envelope.sender = sender
        let reply = try await transport.call(envelope, topic: topic, timeout: timeout)
        if let fault = reply.fault { throw fault }
        return try JSONDecoder().decode(M.Reply.self, from: Data(reply.payload))
    }

    static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try JSONEncoder().encode(value))
    }
}

extension Envelope {
    /// A typed message's envelope.
    public init<M: RPCMessage>(_ message: M, requestId: String?) throws {
        self.init(method: M.method, payload: try RPCClient.encode(message), requestId: requestId)
    }
}

/// What a handler knows of a message besides its content.
public struct RPCContext: Sendable {
    /// The API request that caused it.
    public var requestId: String?
    /// The compute host that sent it (see `Envelope.sender`); nil from the control plane.
    public var sender: String?
    /// The consumer's hold on the message (see `Envelope.delivery`); nil where the transport has none.
    public var delivery: Envelope.Delivery?

    init(_ envelope: Envelope) {
        requestId = envelope.requestId
        sender = envelope.sender
        delivery = envelope.delivery
    }

    /// Refuses a compute host's message that only the control plane may send.
    public func requireControlPlane() throws {
        if let sender { throw StratusError.forbidden("Compute host \(sender) may not send this message.") }
    }

    /// Refuses a compute host's message about `host`'s affairs unless it is that host: a host may change only its own
    /// instances and records.
    public func requireSender(is host: String?) throws {
        guard let sender else { return }
        guard sender == host else {
            throw StratusError.forbidden("Compute host \(sender) may not act for \(host ?? "an instance on no host").")
        }
    }
}

/// Serves one topic: decodes each envelope and runs the handler registered for its method.
/// Runs as a service of the process's ServiceGroup.
public struct RPCServer: Service {
    public typealias Handler = @Sendable (Envelope) async throws -> [UInt8]

    let topic: String
    let transport: any MessageTransport
    private var handlers: [String: Handler] = [:]
    /// Called with each failure a handler throws (to log it); the caller of a cast has no other way to learn of it.
    var onFailure: @Sendable (String, any Error) -> Void

    public init(topic: String, transport: any MessageTransport, onFailure: @escaping @Sendable (String, any Error) -> Void = { _, _ in }) {
        self.topic = topic
        self.transport = transport
        self.onFailure = onFailure
    }

    /// Handles a message that is cast.
    public mutating func on<M: RPCMessage>(_ type: M.Type, _ handler: @escaping @Sendable (M, RPCContext) async throws -> Void) {
        handlers[M.method] = { envelope in
            try await handler(try JSONDecoder().decode(M.self, from: Data(envelope.payload)), RPCContext(envelope))
            return try RPCClient.encode(Done())
        }
    }

    /// Handles a call and answers it.
    public mutating func answer<M: RPCRequest>(_ type: M.Type, _ handler: @escaping @Sendable (M, RPCContext) async throws -> M.Reply) {
        handlers[M.method] = { envelope in
            let context = RPCContext(envelope)
            return try RPCClient.encode(try await handler(try JSONDecoder().decode(M.self, from: Data(envelope.payload)), context))
        }
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await transport.listen(topic: topic) { envelope in await handle(envelope) }
        }
    }

    func handle(_ envelope: Envelope) async -> Envelope {
        do {
            guard let handler = handlers[envelope.method] else { throw MessagingError.unknownMethod(envelope.method) }
            return Envelope(method: envelope.method, payload: try await handler(envelope), requestId: envelope.requestId)
        } catch {
            onFailure(envelope.method, error)
            return Envelope(method: envelope.method, payload: [], requestId: envelope.requestId, fault: Self.fault(error))
        }
    }

    /// What the caller learns of a failure: a StratusError's or a RemoteFault's own status and message, never others' text.
    static func fault(_ error: any Error) -> RemoteFault {
        switch error {
        case let error as RemoteFault: error
        case let error as StratusError: RemoteFault(status: error.fault.status, message: error.fault.message)
        // A call of the handler that got no reply in time: unavailable for now (a cast is delivered again).
        case MessagingError.timedOut(let method, let topic): RemoteFault(status: 503, message: "No reply to \(method) on \(topic) in time; try again.")
        default: RemoteFault(status: 500, message: "An unexpected error occurred in the remote service.")
        }
    }
}
