import Foundation
public import Logging
public import Messaging
public import ServiceLifecycle
public import StratusCore
import Synchronization

/// The durable message bus: messages are rows of the database (`MessageQueue`), so a cast survives the crash of any
/// process and a message whose consumer died is delivered again once its lease runs out (at least once: handlers
/// change an instance only under its expected task state). A call's reply is a message on a topic of its own.
///
/// Consumers wake on the database's notifications (`SQLBackend.messageSignal`); the transport's service (run it in
/// the process's ServiceGroup) renews the leases of the messages being handled, polls every `tick` as a safety net,
/// and prunes what can no longer be delivered.
public final class DatabaseTransport: MessageTransport, Service {
    public struct Settings: Sendable {
        /// How long a consumer holds a message before another may take it; renewed every `tick` while it works.
        public var lease: Duration
        /// The safety poll and lease renewal.
        public var tick: Duration
        /// Messages claimed per query.
        public var batch: Int
        /// Deliveries of a message whose consumers keep dying before it is dropped (and logged).
        public var maxAttempts: Int
        /// How long a reply waits for its caller.
        public var replyLifetime: Duration
        /// Messages this process removes between two vacuums of the queue (`MessageQueue.vacuum`, at a tick).
        public var vacuumAfter: Int

        public init(
            lease: Duration = .seconds(30), tick: Duration = .seconds(5), batch: Int = 32, maxAttempts: Int = 5, replyLifetime: Duration = .seconds(300),
            vacuumAfter: Int = 1_000
        ) {
            self.lease = lease
            self.tick = tick
            self.batch = batch
            self.maxAttempts = maxAttempts
            self.replyLifetime = replyLifetime
            self.vacuumAfter = vacuumAfter
        }
    }

    let backend: any SQLBackend
    let clock: any WallClock
    let settings: Settings
    let logger: Logger
    /// Names this process's leases and reply topics.
    public let owner: String
    /// The messages this process's handlers are working on.
    private let inFlight = Mutex<Set<Int64>>([])
    /// Messages this process removed since it last vacuumed the queue.
    private let removed = Mutex(0)
    /// Returns once the database is migrated: consumers wait for it.
    let ready: @Sendable () async -> Void

    public init(
        backend: any SQLBackend, clock: any WallClock = SystemWallClock(), settings: Settings = Settings(), ready: @escaping @Sendable () async -> Void = {},
        logger: Logger
    ) {
        self.backend = backend
        self.clock = clock
        self.settings = settings
        self.ready = ready
        self.logger = logger
        owner = UUID().uuidString.lowercased()
    }

    var now: Int64 { Int64((clock.now().timeIntervalSince1970 * 1000).rounded()) }

    static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    public func cast(_ envelope: Envelope, topic: String) async throws {
        try await backend.messages.enqueue(envelope, topic: topic, now: now)
    }

    /// Sends the call and waits for its reply for `timeout`, and for as long again each time the timeout passes while a
    /// consumer still holds the call's lease (it renews it while it works: Nova's `call_monitor_timeout`). The reply
    /// comes with the bell that announces it (`MessageQueue.complete`), or is read from its row (too big for a
    /// notification, or its notification was lost with the connection).
    public func call(_ envelope: Envelope, topic: String, timeout: Duration) async throws -> Envelope {
        let signal = backend.messageSignal
        let replyTopic = signal.replyTopic()
        return try await signal.withDoorbell(replyTopic) { bell in
            let sent = now
            let id = try await backend.messages.enqueue(
                envelope, topic: topic, replyTo: replyTopic, now: sent, expiresAt: sent + Self.milliseconds(timeout)
            )
            func reply() async throws -> Envelope? {
                if let delivered = bell.takeDelivered() { return delivered }
                return try await backend.messages.takeReply(topic: replyTopic)
            }
            var deadline = ContinuousClock.now + timeout
            while true {
                // The bell was hung before the call went out: a reply is never missed by waiting for it first.
                await bell.wait(upTo: min(deadline - ContinuousClock.now, settings.tick))
                if let reply = try await reply() { return reply }
                if ContinuousClock.now >= deadline {
                    if try await backend.messages.isLeased(id, now: now) {
                        deadline = ContinuousClock.now + timeout
                    } else if try await backend.messages.withdraw(id) {
                        throw MessagingError.timedOut(method: envelope.method, topic: topic)
                    } else if let reply = try await reply() {
                        return reply
                    } else {
                        // Its consumer died holding it (or its reply's notification was lost with the connection): the
                        // call may run again once the lease runs out, unwaited for.
                        throw MessagingError.timedOut(method: envelope.method, topic: topic)
                    }
                }
                try Task.checkCancellation()
            }
        }
    }

    /// Claims and handles `topic`'s messages, concurrently, until the task is cancelled; any number of consumers of a
    /// topic, in this process or others, share its messages.
    public func listen(topic: String, handler: @escaping @Sendable (Envelope) async -> Envelope) async throws {
        await ready()
        await backend.messageSignal.withDoorbell(topic) { bell in
            await withDiscardingTaskGroup { group in
                func start(_ claimed: [QueuedMessage]) {
                    inFlight.withLock { $0.formUnion(claimed.map(\.id)) }
                    for message in claimed {
                        group.addTask { await self.handle(message, handler) }
                    }
                }
                while !Task.isCancelled {
                    do {
                        // The messages the notifications announced are claimed by id; the queue is searched when a ring
                        // named none (or the wait timed out), or when one of them was not there to claim.
                        let work = bell.takeWork()
                        var search = work.unannounced || work.announced.isEmpty
                        if !work.announced.isEmpty {
                            let time = now
                            let claimed = try await backend.messages.claim(
                                ids: work.announced, topic: topic, owner: owner, now: time, leaseUntil: time + Self.milliseconds(settings.lease)
                            )
                            start(claimed)
                            search = search || claimed.count < work.announced.count
                        }
                        while search, !Task.isCancelled {
                            let time = now
                            let claimed = try await backend.messages.claim(
                                topic: topic, owner: owner, now: time, leaseUntil: time + Self.milliseconds(settings.lease), limit: settings.batch,
                                maxAttempts: settings.maxAttempts
                            )
                            start(claimed)
                            search = claimed.count == settings.batch
                        }
                    } catch {
                        if Task.isCancelled { break }
                        logger.warning("message bus: claiming messages of \(topic) failed: \(error)")
                    }
                    // The safety poll (`run`) rings too; this long wait is the poll of last resort.
                    await bell.wait(upTo: settings.tick * 12)
                }
            }
        }
    }

    /// Runs the handler, then removes the message and sends a call's reply in one transaction; a handler cut off by the
    /// consumer's stop gives the message back for another consumer.
    private func handle(_ message: QueuedMessage, _ handler: @Sendable (Envelope) async -> Envelope) async {
        defer { _ = inFlight.withLock { $0.remove(message.id) } }
        if message.attempts > 1 {
            logger.warning("message bus: delivering \(message.envelope.method) on \(message.topic) again (attempt \(message.attempts))")
        }
        var envelope = message.envelope
        envelope.delivery = Envelope.Delivery(messageId: message.id, owner: owner)
        let reply = await handler(envelope)
        if Task.isCancelled {
            try? await backend.messages.release([message.id], owner: owner)
            return
        }
        // A cast whose handler found a service unavailable (the database was lost) is tried again a tick later, up to
        // `maxAttempts` deliveries, instead of being done with.
        if message.replyTo == nil, let fault = reply.fault, fault.status == 503, message.attempts < settings.maxAttempts {
            logger.warning("message bus: \(message.envelope.method) on \(message.topic) failed for now (\(fault.message)); delivering it again")
            try? await backend.messages.retry(message.id, owner: owner, availableAt: now + Self.milliseconds(settings.tick))
            return
        }
        do {
            let time = now
            defer { removed.withLock { $0 += 1 } }
            guard let replyTo = message.replyTo else {
                try await backend.messages.complete(message.id, owner: owner)
                return
            }
            try await backend.messages.complete(
                message.id, owner: owner, reply: reply, topic: replyTo, now: time, expiresAt: time + Self.milliseconds(settings.replyLifetime)
            )
        } catch {
            logger.warning("message bus: completing \(message.envelope.method) on \(message.topic) failed: \(error)")
        }
    }

    /// Listens for other processes' messages, and every `tick` renews this process's leases, wakes the consumers of
    /// topics with claimable messages, and prunes.
    public func run() async throws {
        await ready()
        try await cancelWhenGracefulShutdown {
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await self.backend.forwardMessageNotifications() }
                group.addTask {
                    while true {
                        try? await Task.sleep(for: self.settings.tick)
                        if Task.isCancelled { return }
                        await self.maintain()
                    }
                }
            }
        }
    }

    /// One tick of `run`: renew, poll, prune, vacuum when due (now, for tests and benchmarks).
    public func maintain() async {
        let time = now
        do {
            // Only messages still being handled: one whose completion failed (the database was lost) goes back to the
            // bus when its lease runs out.
            let handling = inFlight.withLock { Array($0) }
            if !handling.isEmpty {
                try await backend.messages.renewLeases(handling, owner: owner, until: time + Self.milliseconds(settings.lease))
            }
            let listened = backend.messageSignal.topics
            for topic in try await backend.messages.waitingTopics(now: time, maxAttempts: settings.maxAttempts) where listened.contains(topic) {
                backend.messageSignal.post(topic)
            }
            for dropped in try await backend.messages.prune(now: time, maxAttempts: settings.maxAttempts) {
                logger.error("message bus: dropped \(dropped.envelope.method) on \(dropped.topic): its consumers stopped \(dropped.attempts) times while handling it")
            }
            if removed.withLock({ removed in
                defer { if removed >= settings.vacuumAfter { removed = 0 } }
                return removed >= settings.vacuumAfter
            }) {
                try await backend.messages.vacuum()
            }
        } catch {
            logger.warning("message bus: maintenance failed: \(error)")
        }
    }
}
