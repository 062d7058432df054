/// Where casts go: the bus at once (`RPCClient`), or a database transaction's outbox, which sends them if and only if
/// the transaction commits.
public protocol CastSink: Sendable {
    func cast<M: RPCMessage>(_ message: M, to topic: String, requestId: String?) async throws
}

extension RPCClient: CastSink {}
