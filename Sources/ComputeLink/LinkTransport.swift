import Foundation
import HTTPTypes
public import Logging
public import Messaging
public import ServiceClients
public import ServiceLifecycle
import StratusCore
import Synchronization
import WSClient

/// A compute host's bus: one WebSocket it dials out to the control plane's `/bus` (see `ComputeLinkGateway`) with its
/// service user's token, carrying its casts and calls to the conductor and the messages of its own topics. Dialled
/// again a second after it drops (a ping every 10 s finds a link that died silently); its topics are listened on again
/// on each new link. A cast or call cut off with its link is sent again on the next one (delivery is at least once:
/// the conductor's handlers are idempotent); a message being handled when its link dropped is finished, and delivered
/// again by the control plane once its lease runs out (the compute manager's handlers are idempotent too).
public final class LinkTransport: MessageTransport, Service {
    private struct State {
        var writer: WebSocketOutboundWriter?
        var nextId: Int64 = 0
        var pending: [Int64: CheckedContinuation<LinkFrame, any Error>] = [:]
        /// Answers that came before their request began to wait.
        var early: [Int64: Result<LinkFrame, any Error>] = [:]
        var handlers: [String: @Sendable (Envelope) async -> Envelope] = [:]
    }

    /// A message to handle, and the link to answer on.
    private struct Delivery: Sendable {
        let frame: LinkFrame
        let outbound: WebSocketOutboundWriter
    }

    /// The link a request went out on closed before its answer came.
    private struct LinkClosed: Error {}

    let url: String
    let token: RenewedToken
    let logger: Logger
    private let state = Mutex(State())
    /// Messages from every link, handled by `run`'s tasks: a handler outlives the link it came on.
    private let deliveries: (stream: AsyncStream<Delivery>, continuation: AsyncStream<Delivery>.Continuation) = AsyncStream.makeStream()

    /// `controlPlane`: `http://HOST:PORT` of a `stratus api` (or all-in-one); `host`: the host's name, which its service
    /// user must be for.
    public init(controlPlane: String, host: String, token: RenewedToken, logger: Logger) {
        let base = controlPlane.hasPrefix("https://") ? "wss://" + controlPlane.dropFirst(8) : "ws://" + controlPlane.dropFirst("http://".count)
        url = base + "/bus?host=" + (host.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-._"))) ?? host)
        self.token = token
        self.logger = logger
    }

    public func cast(_ envelope: Envelope, topic: String) async throws {
        _ = try await request(LinkFrame(kind: .cast, id: 0, topic: topic, envelope: envelope), within: .seconds(60))
    }

    public func call(_ envelope: Envelope, topic: String, timeout: Duration) async throws -> Envelope {
        let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
        let reply = try await request(LinkFrame(kind: .call, id: 0, topic: topic, envelope: envelope, timeout: milliseconds), within: timeout + .seconds(10))
        guard let envelope = reply.envelope else { throw MessagingError.timedOut(method: envelope.method, topic: topic) }
        return envelope
    }

    /// Registers the topic's handler, listened on over every link from now on, until the task is cancelled.
    public func listen(topic: String, handler: @escaping @Sendable (Envelope) async -> Envelope) async throws {
        let writer = state.withLock { state in
            state.handlers[topic] = handler
            return state.writer
        }
        if let writer { try? await send(LinkFrame(kind: .listen, id: 0, topic: topic), on: writer) }
        defer { _ = state.withLock { $0.handlers.removeValue(forKey: topic) } }
        while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
    }

    /// Sends a request and waits for its answer, waiting for a link first and sending it again on the next link when
    /// its link closes before the answer (up to `within`).
    private func request(_ frame: LinkFrame, within limit: Duration) async throws -> LinkFrame {
        let deadline = ContinuousClock.now + limit
        while true {
            if let writer = state.withLock({ $0.writer }) {
                let answer: LinkFrame??
                do {
                    answer = try await withThrowingTaskGroup(of: LinkFrame?.self) { group in
                        group.addTask { try await self.exchange(frame, on: writer) }
                        group.addTask {
                            try await Task.sleep(until: deadline)
                            return nil
                        }
                        defer { group.cancelAll() }
                        return try await group.next()
                    }
                } catch is LinkClosed {
                    answer = nil
                }
                if let answer {
                    guard let answer else { throw MessagingError.timedOut(method: frame.envelope?.method ?? "", topic: frame.topic ?? "") }
                    if answer.kind == .failed { throw RemoteFault(status: 503, message: answer.error ?? "The control plane refused the message.") }
                    return answer
                }
            }
            guard ContinuousClock.now < deadline else {
                throw MessagingError.timedOut(method: frame.envelope?.method ?? "", topic: frame.topic ?? "")
            }
            // No link at the moment: the dialer is at work.
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    private func exchange(_ frame: LinkFrame, on writer: WebSocketOutboundWriter) async throws -> LinkFrame {
        var frame = frame
        frame.id = state.withLock { state in
            state.nextId += 1
            return state.nextId
        }
        do {
            try await send(frame, on: writer)
        } catch {
            throw LinkClosed()
        }
        let id = frame.id
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let now: Result<LinkFrame, any Error>? = state.withLock { state in
                    if let early = state.early.removeValue(forKey: id) { return early }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    guard state.writer != nil else { return .failure(LinkClosed()) }
                    state.pending[id] = continuation
                    return nil
                }
                if let now { continuation.resume(with: now) }
            }
        } onCancel: {
            answer(id, with: .failure(CancellationError()))
        }
    }

    /// Resumes the request waiting for `id`, or keeps the answer for it if it does not wait yet.
    private func answer(_ id: Int64, with result: Result<LinkFrame, any Error>) {
        guard id != 0 else { return }
        let waiter = state.withLock { state in
            guard let waiter = state.pending.removeValue(forKey: id) else {
                state.early[id] = result
                return nil as CheckedContinuation<LinkFrame, any Error>?
            }
            return waiter
        }
        waiter?.resume(with: result)
    }

    private func send(_ frame: LinkFrame, on writer: WebSocketOutboundWriter) async throws {
        try await writer.writeTextMessage(String(decoding: try JSONEncoder().encode(frame), as: UTF8.self))
    }

    /// Dials the control plane, serves the link until it drops, and dials again a second later, until shutdown; meanwhile
    /// handles the messages every link delivers.
    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            await withDiscardingTaskGroup { group in
                group.addTask { await self.dial() }
                for await delivery in deliveries.stream {
                    group.addTask { await self.handle(delivery) }
                }
            }
        }
    }

    private func dial() async {
        defer { deliveries.continuation.finish() }
        while !Task.isCancelled {
            do {
                var headers = HTTPFields()
                headers[HTTPField.Name("X-Auth-Token")!] = token.current
                let closed = try await WebSocketClient.connect(
                    url: url, configuration: .init(maxFrameSize: 64 << 20, additionalHeaders: headers, autoPing: .enabled(timePeriod: .seconds(10))), logger: logger
                ) { inbound, outbound, _ in try await self.serve(inbound: inbound, outbound: outbound) }
                logger.warning("compute: the link to the control plane closed\(closed.map { ": \($0.reason ?? "\($0.closeCode)")" } ?? "")")
            } catch {
                if Task.isCancelled { break }
                logger.warning("compute: the link to the control plane failed: \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Runs the handler of a delivered message and answers on the link it came on (if that link is gone, the control
    /// plane delivers the message again).
    private func handle(_ delivery: Delivery) async {
        guard let topic = delivery.frame.topic, let envelope = delivery.frame.envelope, let handler = state.withLock({ $0.handlers[topic] }) else { return }
        let reply = await handler(envelope)
        try? await send(LinkFrame(kind: .done, id: delivery.frame.id, envelope: reply), on: delivery.outbound)
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let topics = state.withLock { state in
            state.writer = outbound
            return Array(state.handlers.keys)
        }
        logger.info("compute: linked to the control plane at \(url)")
        defer {
            let pending = state.withLock { state in
                state.writer = nil
                state.early = [:]
                defer { state.pending = [:] }
                return state.pending.values
            }
            for continuation in pending { continuation.resume(throwing: LinkClosed()) }
        }
        for topic in topics { try await send(LinkFrame(kind: .listen, id: 0, topic: topic), on: outbound) }
        for try await message in inbound.messages(maxSize: 64 << 20) {
            guard case .text(let text) = message, let frame = try? JSONDecoder().decode(LinkFrame.self, from: Data(text.utf8)) else { continue }
            switch frame.kind {
            case .ok, .reply:
                answer(frame.id, with: .success(frame))
            case .failed:
                if frame.id == 0 { logger.error("compute: the control plane refused: \(frame.error ?? "")") }
                answer(frame.id, with: .success(frame))
            case .deliver:
                deliveries.continuation.yield(Delivery(frame: frame, outbound: outbound))
            case .cast, .call, .listen, .done:
                logger.warning("compute: the control plane sent a \(frame.kind.rawValue) frame")
            }
        }
    }
}
