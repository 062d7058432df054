import Messaging
import ServiceLifecycle
import StratusCore
import Testing

struct Ping: RPCRequest {
    typealias Reply = Pong
    static let method = "ping"
    var text: String
}

struct Pong: Codable, Sendable, Equatable {
    var text: String
}

struct Note: RPCMessage {
    static let method = "note"
    var number: Int
}

/// Collects what a test's handlers saw.
actor Inbox {
    var numbers: [Int] = []
    func add(_ number: Int) { numbers.append(number) }
}

@Suite("Messaging")
struct MessagingTests {
    /// Runs `server` while `body` runs, then stops it.
    func serving(_ server: RPCServer, _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            try await body()
            group.cancelAll()
        }
    }

    @Test func callsAreAnsweredAndCastsDelivered() async throws {
        let transport = InProcessTransport()
        let inbox = Inbox()
        var server = RPCServer(topic: "conductor", transport: transport)
        server.answer(Ping.self) { ping, _ in Pong(text: ping.text.uppercased()) }
        server.on(Note.self) { note, _ in await inbox.add(note.number) }
        let client = RPCClient(transport: transport)
        // Casts sent before anyone listens wait in the topic's queue.
        try await client.cast(Note(number: 1), to: "conductor")
        try await serving(server) {
            #expect(try await client.call(Ping(text: "hi"), to: "conductor") == Pong(text: "HI"))
            try await client.cast(Note(number: 2), to: "conductor")
            // A call after the cast on the same topic returns once both were handed over; wait for the cast's effect.
            while await inbox.numbers.count < 2 { await Task.yield() }
            #expect(await Set(inbox.numbers) == [1, 2])
        }
    }

    @Test func remoteFailuresArriveAsFaultsWithTheirStatus() async throws {
        let transport = InProcessTransport()
        var server = RPCServer(topic: "scheduler", transport: transport)
        server.answer(Ping.self) { ping, _ in
            if ping.text == "conflict" { throw StratusError.conflict("busy") }
            struct Secret: Error {}
            throw Secret()
        }
        let client = RPCClient(transport: transport)
        try await serving(server) {
            await #expect(throws: RemoteFault(status: 409, message: "busy")) {
                try await client.call(Ping(text: "conflict"), to: "scheduler")
            }
            // Anything else is a generic 500: the remote error's text does not travel.
            await #expect(throws: RemoteFault(status: 500, message: "An unexpected error occurred in the remote service.")) {
                try await client.call(Ping(text: "other"), to: "scheduler")
            }
        }
    }

    @Test func unknownMethodsAndMissingListenersFailCleanly() async throws {
        let transport = InProcessTransport()
        let server = RPCServer(topic: "compute.a", transport: transport)
        try await serving(server) {
            let client = RPCClient(transport: transport)
            await #expect(throws: RemoteFault.self) { try await client.call(Ping(text: "x"), to: "compute.a") }
        }
        let impatient = RPCClient(transport: transport, timeout: .milliseconds(20))
        await #expect(throws: MessagingError.timedOut(method: "ping", topic: "compute.nobody")) {
            try await impatient.call(Ping(text: "x"), to: "compute.nobody")
        }
    }
}
