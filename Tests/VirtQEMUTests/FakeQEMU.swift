import Foundation
import NIOCore
import NIOPosix
import UnixSockets
import Testing
@testable import VirtQEMU

/// The QEMU side of one QMP connection, scripted by a test: sends lines, reads the client's commands.
final class FakeQEMUPeer {
    private var lines: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>

    static let greeting =
        #"{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "Debian 1:7.2+dfsg-7+deb12u18+b3"}, "#
        + #""capabilities": ["oob"]}}"#

    init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        lines = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Writes `text` as is (no line end added), so a test can split a message across writes.
    func sendRaw(_ text: String) async throws {
        try await outbound.write(ByteBuffer(string: text))
    }

    /// Writes one message, ended by `\r\n` as QEMU does.
    func send(_ json: String) async throws {
        try await sendRaw(json + "\r\n")
    }

    /// Sends an event as QEMU does, with a timestamp and `data` (JSON text) when given.
    func sendEvent(_ name: String, data: String? = nil) async throws {
        let dataMember = data.map { #", "data": \#($0)"# } ?? ""
        try await send(#"{"timestamp": {"seconds": 1795826142, "microseconds": 447126}, "event": "\#(name)"\#(dataMember)}"#)
    }

    /// Greets and accepts `qmp_capabilities`, as QEMU does for a new client.
    func handshake() async throws {
        try await send(Self.greeting)
        let capabilities = try await expect("qmp_capabilities")
        try await send(#"{"return": {}, "id": \#(capabilities.id)}"#)
    }

    /// Reads the next command, checks its name, returns its id and arguments.
    @discardableResult
    func expect(_ command: String) async throws -> (id: Int, arguments: QMPValue?) {
        let request = try #require(try await nextRequest(), "the client closed instead of sending \(command)")
        #expect(request["execute"]?.stringValue == command)
        return (try #require(request["id"]?.intValue), request["arguments"])
    }

    /// The next command the client sent; nil once the client has closed the connection.
    func nextRequest() async throws -> QMPValue? {
        guard let line = try await lines.next() else { return nil }
        return try JSONDecoder().decode(QMPValue.self, from: Data(line.readableBytesView))
    }
}

/// Runs `peer` as QEMU on a fresh unix socket while `client` runs with the socket's path; both must finish. The path
/// is padded to `pathLength` bytes when given.
func withFakeQEMU(
    pathLength: Int? = nil,
    _ peer: @escaping @Sendable (FakeQEMUPeer) async throws -> Void,
    client: (String) async throws -> Void
) async throws {
    var directory = FileManager.default.temporaryDirectory.appendingPathComponent("qmp-\(UUID().uuidString.prefix(8))").path
    if let pathLength { directory += String(repeating: "x", count: max(0, pathLength - directory.utf8.count - "/qmp.sock".utf8.count)) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let path = directory + "/qmp.sock"
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
        .bind(to: try UnixSocketAddress.make(path)) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineFrameDecoder()))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
            }
        }
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    try await connection.executeThenClose { inbound, outbound in
                        try await peer(FakeQEMUPeer(inbound: inbound, outbound: outbound))
                    }
                    return
                }
            }
        }
        try await client(path)
        try await group.waitForAll()
    }
}
