import Foundation
public import Messaging
import Synchronization

/// Wakes one waiting consumer of the message bus. A ring while nobody waits is kept for the next wait, so a message
/// enqueued between a consumer's last claim and its wait is not missed; rings in between coalesce, and the ids of the
/// messages they announced add up (`takeWork`). A call's caller may find its reply left at the door (`takeDelivered`),
/// brought by the notification that rang.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var waiter: CheckedContinuation<Void, Never>?
        var delivered: Envelope?
        var announced: [Int64] = []
        var unannounced = true
    }

    private let state = Mutex(State())
    /// The most announced ids kept; past it, the consumer looks for its messages instead.
    public static let announcedLimit = 256

    public init() {}

    /// Rings for the message `announced` (its id), or for any that may be waiting (nil).
    public func ring(announcing announced: Int64? = nil) {
        let waiter = state.withLock { state in
            if let announced, state.announced.count < Self.announcedLimit {
                state.announced.append(announced)
            } else {
                state.unannounced = true
            }
            guard let waiter = state.waiter else {
                state.rung = true
                return nil as CheckedContinuation<Void, Never>?
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Leaves `reply` at the door and rings.
    func deliver(_ reply: Envelope) {
        state.withLock { $0.delivered = reply }
        ring()
    }

    /// What the rings since the last take asked for: the ids of the messages they announced, and whether any rang
    /// for messages unnamed (which the consumer must look for).
    public func takeWork() -> (announced: [Int64], unannounced: Bool) {
        state.withLock { state in
            defer { (state.announced, state.unannounced) = ([], false) }
            return (state.announced, state.unannounced)
        }
    }

    /// The reply left at the door, if one was.
    public func takeDelivered() -> Envelope? {
        state.withLock { state in
            defer { state.delivered = nil }
            return state.delivered
        }
    }

    /// Returns when rung (at once when rung since the last wait), after `timeout`, or when the task is cancelled.
    public func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state in
                    if state.rung {
                        state.rung = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}

/// This process's consumers of the message bus by topic: a topic is posted when a message for it may be waiting
/// (enqueued in this process on SQLite, notified by PostgreSQL, or found by the transport's safety poll).
public final class MessageSignal: Sendable {
    private struct Bells {
        var next = 0
        var byTopic: [String: [Int: Doorbell]] = [:]
    }

    private let bells = Mutex(Bells())

    /// Names this process's call reply topics (`replyTopic()`) and, on PostgreSQL, the channel their replies are
    /// notified on (`replyChannel`).
    private let replyId = UUID().uuidString.lowercased()

    public init() {}

    /// A new reply topic for one call of this process.
    public func replyTopic() -> String { "reply.\(replyId).\(UUID().uuidString.lowercased())" }

    /// The notification channel of this process's replies.
    public var replyChannel: String { Self.replyChannel(ofId: replyId) }

    /// The notification channel of the process that made `replyTopic`, if it is a reply topic.
    public static func replyChannel(of replyTopic: String) -> String? {
        let parts = replyTopic.split(separator: ".")
        guard parts.count == 3, parts[0] == "reply" else { return nil }
        return replyChannel(ofId: String(parts[1]))
    }

    private static func replyChannel(ofId id: String) -> String { "stratus_reply_\(id)" }

    /// Leaves `reply` with this process's caller waiting on `topic` (if it still waits) and wakes it.
    public func deliver(_ reply: Envelope, to topic: String) {
        for bell in bells.withLock({ $0.byTopic[topic].map { Array($0.values) } ?? [] }) { bell.deliver(reply) }
    }

    /// Rings every consumer of `topic` in this process, for the message `announced` (its id) or for any (nil).
    public func post(_ topic: String, announcing announced: Int64? = nil) {
        for bell in bells.withLock({ $0.byTopic[topic].map { Array($0.values) } ?? [] }) { bell.ring(announcing: announced) }
    }

    /// Posts what a notification of `MessageQueue.channel` says: `ID TOPIC`.
    public func post(notification payload: String) {
        guard let space = payload.firstIndex(of: " "), let id = Int64(payload[..<space]) else { return post(payload) }
        post(String(payload[payload.index(after: space)...]), announcing: id)
    }

    /// Rings every consumer (after a lost connection to PostgreSQL, whose notifications may have been missed).
    public func postAll() {
        for bell in bells.withLock({ $0.byTopic.values.flatMap(\.values) }) { bell.ring() }
    }

    /// The topics with a consumer in this process.
    public var topics: Set<String> { bells.withLock { Set($0.byTopic.keys) } }

    /// Runs `body` with a doorbell that posts of `topic` ring.
    public func withDoorbell<T: Sendable>(_ topic: String, _ body: (Doorbell) async throws -> T) async rethrows -> T {
        let bell = Doorbell()
        let key = bells.withLock { bells in
            bells.next += 1
            bells.byTopic[topic, default: [:]][bells.next] = bell
            return bells.next
        }
        defer {
            bells.withLock { bells in
                bells.byTopic[topic]?[key] = nil
                if bells.byTopic[topic]?.isEmpty == true { bells.byTopic[topic] = nil }
            }
        }
        return try await body(bell)
    }
}
