import NIOCore
import NIOPosix
import StratusCore
import UnixSockets
import WSCore

/// Relays one console session: the browser's WebSocket on one side, the guest's console socket on the other, bytes
/// in both directions. Each side is read only as fast as the other side takes the bytes (NIO's async channels wait for
/// the socket to be writable), so a client that stops reading stops the guest side too, and nothing piles up in memory.
/// When either side ends, the other is closed.
enum ConsoleRelay {
    /// The guest's console socket, opened within `timeLimit`.
    static func connect(_ address: RemoteConsole.Address, timeLimit: TimeAmount = .seconds(5)) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connectTimeout(timeLimit)
        let target: SocketAddress = switch address {
        case .unix(let path): try UnixSocketAddress.make(path)
        case .tcp(let host, let port): try SocketAddress(ipAddress: host, port: port)
        }
        return try await bootstrap.connect(to: target) { channel in
            channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
        }
    }

    /// Which side ended the session.
    enum Ending: String, Sendable {
        case client = "the client closed"
        case guest = "the guest's console closed"
    }

    static func run(
        _ guest: NIOAsyncChannel<ByteBuffer, ByteBuffer>, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter
    ) async throws -> Ending {
        try await guest.executeThenClose { fromGuest, toGuest in
            try await withThrowingTaskGroup(of: Ending.self) { group in
                group.addTask {
                    for try await bytes in fromGuest { try await outbound.write(.binary(bytes)) }
                    return .guest
                }
                group.addTask {
                    // Text and binary frames alike carry bytes for the guest; what they mean is the guest's business.
                    for try await frame in inbound { try await toGuest.write(frame.data) }
                    return .client
                }
                defer { group.cancelAll() }
                return try await group.next() ?? .client
            }
        }
    }
}
