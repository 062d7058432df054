/// Carries envelopes between services by topic (`conductor`, `scheduler`, `compute.<host>`).
///
/// A cast is delivered once to the topic's listener, queued until it listens; a call also waits for the reply.
public protocol MessageTransport: Sendable {
    func cast(_ envelope: Envelope, topic: String) async throws
    /// The listener's reply; `MessagingError.timedOut` when none comes within `timeout`.
    func call(_ envelope: Envelope, topic: String, timeout: Duration) async throws -> Envelope
    /// Hands each envelope for `topic` to `handler`, concurrently, until the calling task is cancelled. The handler's
    /// result is the reply to a call (ignored for a cast).
    func listen(topic: String, handler: @escaping @Sendable (Envelope) async -> Envelope) async throws
}
