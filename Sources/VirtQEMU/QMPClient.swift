import NIOCore
import UnixSockets
import NIOPosix

/// A client of QEMU's machine protocol (QMP) on a unix socket: one JSON object per line; QEMU greets, the
/// client sends `qmp_capabilities`, then commands (`{"execute", "arguments", "id"}`) whose replies carry the same
/// `id`, while events (`{"event", "data"}`) come at any time.
///
/// Use it inside `withConnection(socketPath:timeLimit:_:)`, which owns the socket and its reader and closes both
/// when the body returns. When QEMU quits, pending and later calls throw `QMPError.connectionClosed` and `events` ends.
public struct QMPClient: Sendable {
    /// What QEMU said when the connection opened.
    public let greeting: QMPGreeting
    private let session: QMPSession

    /// Every event QEMU sends, in order, until the connection closes. One consumer at a time.
    public var events: AsyncStream<QMPEvent> { session.events }

    /// Connects to QEMU's QMP socket, waits at most `timeLimit` for the greeting and for `qmp_capabilities`,
    /// and runs `body` with the ready client. QEMU serves one client at a time: a second one gets no greeting.
    public static func withConnection<Result: Sendable>(
        socketPath: String,
        timeLimit: Duration = .seconds(10),
        _ body: (QMPClient) async throws -> Result
    ) async throws -> Result {
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connect(to: try UnixSocketAddress.make(socketPath)) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder()))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw QMPError.cannotConnect(socketPath: socketPath, reason: "\(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            let session = QMPSession(outbound: outbound)
            return try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await session.read(inbound) }
                defer { group.cancelAll() }
                let greeting = try await session.greeting(timeLimit: timeLimit)
                let client = QMPClient(greeting: greeting, session: session)
                _ = try await client.execute("qmp_capabilities", timeLimit: timeLimit)
                return try await body(client)
            }
        }
    }

    /// Runs `command` and returns its `return` value (`{}` for most commands). Throws `QMPError.commandFailed`
    /// with QEMU's error class and description, `.timedOut` after `timeLimit`, `.connectionClosed` when QEMU quit.
    @discardableResult
    public func execute(
        _ command: String,
        arguments: [String: QMPValue]? = nil,
        timeLimit: Duration = .seconds(30)
    ) async throws -> QMPValue {
        try await session.execute(command, arguments: arguments, timeLimit: timeLimit)
    }

    /// Consumes `events` up to the first event named `name` that `matches` (`DEVICE_DELETED` of one device) and
    /// returns it; `.timedOut` after `timeLimit`, `.connectionClosed` if the connection ends first. Events that came
    /// before the call count, so `execute("stop")` then `nextEvent(named: "STOP", …)` cannot miss it. A time-out ends
    /// `events` (an `AsyncStream` finishes when its waiting reader is cancelled): after one, reconnect to see events again.
    public func nextEvent(
        named name: String, timeLimit: Duration, where matches: @escaping @Sendable (QMPEvent) -> Bool = { _ in true }
    ) async throws -> QMPEvent {
        let events = self.events
        return try await withThrowingTaskGroup(of: QMPEvent.self) { group in
            group.addTask {
                for await event in events where event.name == name && matches(event) { return event }
                throw QMPError.connectionClosed
            }
            group.addTask {
                try await Task.sleep(for: timeLimit)
                throw QMPError.timedOut(command: "event \(name)", limit: timeLimit)
            }
            defer { group.cancelAll() }
            guard let event = try await group.next() else { throw QMPError.connectionClosed }
            return event
        }
    }
}
