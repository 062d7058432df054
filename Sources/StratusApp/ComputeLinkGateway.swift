import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOWebSocket
import ServiceClients
import WSCore
public import HummingbirdWebSocket
import Logging
import Messaging
import StratusCore
import Synchronization

/// The control plane's end of compute hosts' links (`/bus`): a host with no database credentials dials out here with a
/// token of its Keystone service user (`compute-NAME`, made by `stratus compute-credentials create NAME`), and reaches
/// the bus through this process. It may consume only its own topic (`compute.NAME`, or `compute.NAME-<i>` for its
/// simulated hosts) and send only to the conductor, and every message it sends is stamped with the host that sent it,
/// so the conductor lets it change only the instances placed on it.
struct ComputeLinkGateway: Sendable {
    let transport: DatabaseTransport
    let tokens: any TokenValidator
    let backend: any SQLBackend
    let logger: Logger

    /// The name of a compute host's service user.
    static func userName(host: String) -> String { "compute-" + host }

    /// Whether a link admitted for `name` may act for `host`.
    static func allows(_ name: String, host: String) -> Bool {
        host == name || (host.hasPrefix(name + "-") && Int(host.dropFirst(name.count + 1)) != nil)
    }

    struct Refusal: Error, CustomStringConvertible {
        let description: String
    }

    func upgrade(_ request: HTTPRequest) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let admitted: Result<String, Refusal>
        do {
            admitted = .success(try await admit(request))
        } catch let refusal as Refusal {
            admitted = .failure(refusal)
        } catch {
            admitted = .failure(Refusal(description: "The link cannot be checked now."))
            logger.error("compute link: cannot check a link: \(error)")
        }
        return .upgrade([:]) { inbound, outbound, _ in
            switch admitted {
            case .failure(let refusal):
                logger.warning("compute link: refused: \(refusal)")
                try await outbound.close(.policyViolation, reason: refusal.description)
            case .success(let name):
                logger.info("compute link: host \(name) connected")
                defer { logger.info("compute link: host \(name) disconnected") }
                try await serve(name, inbound: inbound, outbound: outbound)
            }
        }
    }

    /// The host the link is for: the token must be valid, of the host's own service user, with the admin role.
    private func admit(_ request: HTTPRequest) async throws -> String {
        let uri = URI(request.path ?? "")
        guard let host = uri.queryParameters["host"].map(String.init), !host.isEmpty else { throw Refusal(description: "No host named.") }
        guard let token = request.headerFields[.authToken] else { throw Refusal(description: "No token for host \(host).") }
        let auth: AuthContext
        do {
            auth = try await tokens.validate(token: token)
        } catch {
            throw Refusal(description: "The token of host \(host) is not valid.")
        }
        let user = try await backend.identity.users.get(auth.userId)
        guard user?.name == Self.userName(host: host), auth.roles.contains("admin") else {
            throw Refusal(description: "User \(user?.name ?? auth.userId.rawValue) may not link host \(host).")
        }
        return host
    }

    private func serve(_ name: String, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let link = LinkWriter(outbound: outbound)
        try await withThrowingDiscardingTaskGroup { group in
            for try await message in inbound.messages(maxSize: 64 << 20) {
                guard case .text(let text) = message, let frame = try? JSONDecoder().decode(LinkFrame.self, from: Data(text.utf8)) else {
                    try await outbound.close(.dataInconsistentWithMessage, reason: "Not a link frame.")
                    break
                }
                switch frame.kind {
                case .cast, .call:
                    group.addTask { await link.send(await send(frame, from: name)) }
                case .listen:
                    guard let topic = frame.topic, topic.hasPrefix("compute."), Self.allows(name, host: String(topic.dropFirst("compute.".count))) else {
                        logger.warning("compute link: host \(name) was refused topic \(frame.topic ?? "none")")
                        await link.send(LinkFrame(kind: .failed, id: frame.id, error: "Host \(name) may not listen on \(frame.topic ?? "no topic")."))
                        continue
                    }
                    group.addTask {
                        try await transport.listen(topic: topic) { envelope in await link.deliver(envelope, topic: topic) }
                    }
                    await link.send(LinkFrame(kind: .ok, id: frame.id))
                case .done:
                    link.finish(frame)
                case .ok, .reply, .failed, .deliver:
                    await link.send(LinkFrame(kind: .failed, id: frame.id, error: "A host does not send \(frame.kind.rawValue)."))
                }
            }
            // The host went away: its topics stop, and what it was handling goes back on the bus for its next link.
            group.cancelAll()
        }
    }

    /// A host's cast or call, to the conductor only, stamped with the host it says it is (one of its link's).
    private func send(_ frame: LinkFrame, from name: String) async -> LinkFrame {
        guard var envelope = frame.envelope, frame.topic == Topic.conductor else {
            return LinkFrame(kind: .failed, id: frame.id, error: "A compute host sends only to the conductor.")
        }
        let host = envelope.sender ?? name
        guard Self.allows(name, host: host) else {
            logger.warning("compute link: host \(name) was refused a message as \(host)")
            return LinkFrame(kind: .failed, id: frame.id, error: "Host \(name) may not send as \(host).")
        }
        envelope.sender = host
        do {
            if frame.kind == .cast {
                try await transport.cast(envelope, topic: Topic.conductor)
                return LinkFrame(kind: .ok, id: frame.id)
            }
            let timeout = Duration.milliseconds(max(1, min(frame.timeout ?? 60_000, 3_600_000)))
            return LinkFrame(kind: .reply, id: frame.id, envelope: try await transport.call(envelope, topic: Topic.conductor, timeout: timeout))
        } catch {
            return LinkFrame(kind: .failed, id: frame.id, error: "\(error)")
        }
    }
}

/// One link's outgoing frames (each one WebSocket frame: the link's frame size is large enough), and the deliveries
/// waiting for the host's `done`.
private final class LinkWriter: Sendable {
    private struct Deliveries {
        var next: Int64 = 0
        var waiting: [Int64: CheckedContinuation<Envelope?, Never>] = [:]
        /// Answers that came before their delivery began to wait.
        var early: [Int64: Envelope] = [:]
    }

    let outbound: WebSocketOutboundWriter
    private let deliveries = Mutex(Deliveries())

    init(outbound: WebSocketOutboundWriter) {
        self.outbound = outbound
    }

    func send(_ frame: LinkFrame) async {
        guard let data = try? JSONEncoder().encode(frame) else { return }
        try? await outbound.writeTextMessage(String(decoding: data, as: UTF8.self))
    }

    /// Hands a message to the host and waits for its answer; cancelled (the link closed), it returns a fault, and the
    /// bus gives the message back (see `DatabaseTransport.listen`).
    func deliver(_ envelope: Envelope, topic: String) async -> Envelope {
        let id = deliveries.withLock { deliveries in
            deliveries.next += 1
            return deliveries.next
        }
        await send(LinkFrame(kind: .deliver, id: id, topic: topic, envelope: envelope))
        let reply: Envelope? = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let now: Envelope?? = deliveries.withLock { deliveries in
                    if let early = deliveries.early.removeValue(forKey: id) { return .some(early) }
                    if Task.isCancelled { return .some(nil) }
                    deliveries.waiting[id] = continuation
                    return .none
                }
                if case .some(let reply) = now { continuation.resume(returning: reply) }
            }
        } onCancel: {
            deliveries.withLock { $0.waiting.removeValue(forKey: id) }?.resume(returning: nil)
        }
        return reply ?? Envelope(method: envelope.method, payload: [], fault: RemoteFault(status: 503, message: "The compute host's link closed."))
    }

    /// The host's answer to a delivery.
    func finish(_ frame: LinkFrame) {
        let reply = frame.envelope ?? Envelope(method: "", payload: [], fault: RemoteFault(status: 500, message: "The host answered nothing."))
        let waiter = deliveries.withLock { deliveries in
            guard let waiter = deliveries.waiting.removeValue(forKey: frame.id) else {
                deliveries.early[frame.id] = reply
                return nil as CheckedContinuation<Envelope?, Never>?
            }
            return waiter
        }
        waiter?.resume(returning: reply)
    }
}
