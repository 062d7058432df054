import Synchronization

/// The message bus of `stratus all-in-one`: one queue per topic in this process.
public final class InProcessTransport: MessageTransport {
    /// One delivery: the envelope and, for a call, where its reply goes.
    struct Delivery: Sendable {
        let envelope: Envelope
        let reply: (@Sendable (Envelope) -> Void)?
    }

    private struct Queue {
        let stream: AsyncStream<Delivery>
        let continuation: AsyncStream<Delivery>.Continuation
        var listening = false
    }

    private let queues = Mutex<[String: Queue]>([:])

    public init() {}

    private func queue(_ topic: String) -> AsyncStream<Delivery>.Continuation {
        queues.withLock { queues in
            if let queue = queues[topic] { return queue.continuation }
            let (stream, continuation) = AsyncStream<Delivery>.makeStream()
            queues[topic] = Queue(stream: stream, continuation: continuation)
            return continuation
        }
    }

    public func cast(_ envelope: Envelope, topic: String) async throws {
        queue(topic).yield(Delivery(envelope: envelope, reply: nil))
    }

    public func call(_ envelope: Envelope, topic: String, timeout: Duration) async throws -> Envelope {
        let (replies, replied) = AsyncStream<Envelope>.makeStream(bufferingPolicy: .bufferingNewest(1))
        queue(topic).yield(Delivery(envelope: envelope, reply: { reply in
            replied.yield(reply)
            replied.finish()
        }))
        return try await withThrowingTaskGroup(of: Envelope?.self) { group in
            group.addTask {
                for await reply in replies { return reply }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let reply = try await group.next() ?? nil else {
                throw MessagingError.timedOut(method: envelope.method, topic: topic)
            }
            return reply
        }
    }

    public func listen(topic: String, handler: @escaping @Sendable (Envelope) async -> Envelope) async throws {
        _ = queue(topic)
        let stream = try queues.withLock { queues in
            guard var queue = queues[topic], !queue.listening else { throw MessagingError.topicTaken(topic) }
            queue.listening = true
            queues[topic] = queue
            return queue.stream
        }
        // A cancelled listener ends its stream; the next listener starts a new queue.
        defer { queues.withLock { $0[topic] = nil } }
        await withDiscardingTaskGroup { group in
            for await delivery in stream {
                if Task.isCancelled { break }
                group.addTask {
                    let reply = await handler(delivery.envelope)
                    delivery.reply?(reply)
                }
            }
        }
    }
}
