import Database
import Foundation
import Messaging
import ServiceLifecycle
import SQLKit
import StratusCore
import StratusTesting
import Synchronization
import Testing

struct Ping: RPCRequest {
    typealias Reply = Pong
    static let method = "ping"
    var text: String
    var pause: Int = 0
}

struct Pong: Codable, Sendable, Equatable {
    var text: String
}

/// A method no server handles.
struct Unknown: RPCRequest {
    typealias Reply = Done
    static let method = "unknown"
}

struct Note: RPCMessage {
    static let method = "note"
    var number: Int
}

/// Collects what a test's handlers saw.
final class Inbox: Sendable {
    private let seen = Mutex<[Int]>([])
    func add(_ number: Int) { seen.withLock { $0.append(number) } }
    var numbers: [Int] { seen.withLock { $0 } }

    /// Waits (with a deadline) until `count` numbers arrived.
    func wait(for count: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while numbers.count < count {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

/// The durable bus on both engines: what the in-process bus did (calls, casts, faults, time-outs), and what only rows
/// give (casts that outlive their consumer, redelivery after a consumer died, the outbox, competing consumers).
@Suite("Message bus")
struct MessageBusTests {
    /// A lease longer than any stall of a busy test run (the whole suite shares two cores): only the tests about
    /// leases see one run out, on an injected clock or one set in the past.
    static let quick = DatabaseTransport.Settings(lease: .seconds(600), tick: .milliseconds(100))

    static func transport(_ backend: any SQLBackend, clock: any WallClock = SystemWallClock(), settings: DatabaseTransport.Settings = quick) -> DatabaseTransport {
        DatabaseTransport(backend: backend, clock: clock, settings: settings, logger: TestEngine.logger)
    }

    static func server(_ topic: String, _ transport: DatabaseTransport, inbox: Inbox = Inbox()) -> RPCServer {
        var server = RPCServer(topic: topic, transport: transport)
        server.answer(Ping.self) { ping, _ in
            if ping.pause > 0 { try await Task.sleep(for: .milliseconds(ping.pause)) }
            if ping.text == "conflict" { throw StratusError.conflict("busy") }
            if ping.text == "secret" {
                struct Secret: Error {}
                throw Secret()
            }
            return Pong(text: ping.text.uppercased())
        }
        server.on(Note.self) { note, _ in inbox.add(note.number) }
        return server
    }

    /// Runs the services while `body` runs, then stops them.
    func running(_ services: [any Service], _ body: @Sendable () async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for service in services { group.addTask { try await service.run() } }
            try await body()
            group.cancelAll()
        }
    }

    @Test(arguments: TestEngine.allCases)
    func callsAreAnsweredCastsWaitForTheirConsumerAndFaultsKeepTheirStatus(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let transport = Self.transport(backend)
            let inbox = Inbox()
            let client = RPCClient(transport: transport, timeout: .seconds(10))
            // Sent while nobody listens: it waits in the table.
            try await client.cast(Note(number: 1), to: "conductor")
            #expect(try await backend.messages.depth() == ["conductor": 1])
            try await running([transport, Self.server("conductor", transport, inbox: inbox)]) {
                #expect(try await client.call(Ping(text: "hi"), to: "conductor") == Pong(text: "HI"))
                try await client.cast(Note(number: 2), to: "conductor")
                try await inbox.wait(for: 2)
                #expect(Set(inbox.numbers) == [1, 2])
                await #expect(throws: RemoteFault(status: 409, message: "busy")) { try await client.call(Ping(text: "conflict"), to: "conductor") }
                // Anything else is a generic 500: the remote error's text does not travel.
                await #expect(throws: RemoteFault(status: 500, message: "An unexpected error occurred in the remote service.")) {
                    try await client.call(Ping(text: "secret"), to: "conductor")
                }
                await #expect(throws: RemoteFault.self) { try await client.call(Unknown(), to: "conductor") }
            }
            // Handled messages are gone; a reply its notification brought (PostgreSQL) stays for a caller that might have
            // missed it, until it expires and maintenance prunes it.
            #expect(try await backend.messages.depth().keys.allSatisfy { $0.hasPrefix("reply.") })
            _ = try await backend.messages.prune(now: Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000, maxAttempts: 5)
            #expect(try await backend.messages.depth() == [:])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aCallNobodyTakesTimesOutAndIsWithdrawnButOneBeingWorkedOnIsWaitedFor(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let clock = ManualWallClock()
            // Leases run on the injected clock; renewal is `maintain`, called by hand.
            let transport = Self.transport(backend, clock: clock, settings: .init(lease: .seconds(10), tick: .seconds(3600)))
            let impatient = RPCClient(transport: transport, timeout: .milliseconds(50))
            await #expect(throws: MessagingError.timedOut(method: "ping", topic: "compute.nobody")) {
                try await impatient.call(Ping(text: "x"), to: "compute.nobody")
            }
            #expect(try await backend.messages.depth() == [:])
            // The handler works for longer than the call's timeout and its lease, renewing the lease: the caller waits on.
            let gate = Inbox()
            var server = RPCServer(topic: "scheduler", transport: transport)
            server.answer(Ping.self) { ping, _ in
                try await gate.wait(for: 1)
                return Pong(text: ping.text.uppercased())
            }
            // Long enough for the server to take the call on a loaded machine, and long past once the gate opens.
            let patient = RPCClient(transport: transport, timeout: .milliseconds(500))
            // The transport listens for the reply's notification (its ticks are an hour apart: `maintain` runs by hand).
            try await running([transport, server]) {
                let started = ContinuousClock.now
                async let pong = patient.call(Ping(text: "slow"), to: "scheduler")
                try await Self.until { try await backend.messages.depth()["scheduler"] == 1 && ContinuousClock.now > started + .seconds(2) }
                for _ in 0..<3 {
                    clock.advance(seconds: 6)
                    await transport.maintain()
                }
                gate.add(1)
                #expect(try await pong == Pong(text: "SLOW"))
            }
        }
    }

    /// Polls `condition` until it holds, with a deadline.
    static func until(_ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aMessageWhoseConsumerDiedIsDeliveredAgainAndOneThatKeepsKillingConsumersIsDropped(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let transport = Self.transport(backend)
            let client = RPCClient(transport: transport)
            try await client.cast(Note(number: 7), to: "conductor")
            try await client.cast(Note(number: 8), to: "conductor")
            // A consumer took both and died: its leases ran out a second ago; one of them had killed four consumers already.
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let taken = try await backend.messages.claim(topic: "conductor", owner: "dead", now: now, leaseUntil: now - 1000, limit: 10, maxAttempts: 5)
            #expect(taken.map(\.attempts) == [1, 1])
            try await backend.run { db in
                try await db.update("messages").set("attempts", to: 5).where("id", .equal, taken[1].id).run()
            }
            let inbox = Inbox()
            try await running([transport, Self.server("conductor", transport, inbox: inbox)]) {
                try await inbox.wait(for: 1)
                await transport.maintain()
                #expect(try await backend.messages.depth() == [:])
            }
            #expect(inbox.numbers == [7])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func aCastThatFoundAServiceUnavailableIsTriedAgainUpToTheLimit(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let transport = Self.transport(backend, settings: .init(lease: .seconds(600), tick: .milliseconds(20), maxAttempts: 3))
            let tries = Inbox()
            var server = RPCServer(topic: "conductor", transport: transport)
            // Note 1 works at its third delivery; note 2 never does.
            server.on(Note.self) { note, _ in
                tries.add(note.number)
                if note.number == 2 || tries.numbers.filter({ $0 == 1 }).count < 3 { throw StratusError.unavailable("The database cannot be reached.") }
            }
            let client = RPCClient(transport: transport)
            try await client.cast(Note(number: 1), to: "conductor")
            try await client.cast(Note(number: 2), to: "conductor")
            try await running([transport, server]) {
                try await Self.until { try await backend.messages.depth() == [:] }
            }
            #expect(tries.numbers.filter { $0 == 1 }.count == 3)
            #expect(tries.numbers.filter { $0 == 2 }.count == 3)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func anAnnouncedMessageIsClaimedByIdOnlyWhileReadyAndOnItsTopic(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let envelope = Envelope(method: Note.method, payload: Array("{\"number\":1}".utf8))
            let first = try await backend.messages.enqueue(envelope, topic: "conductor", now: now)
            let taken = try await backend.messages.enqueue(envelope, topic: "conductor", now: now)
            let elsewhere = try await backend.messages.enqueue(envelope, topic: "scheduler", now: now)
            let later = try await backend.messages.enqueue(envelope, topic: "conductor", now: now)
            try await backend.run { db in try await db.update("messages").set("available_at", to: now + 60_000).where("id", .equal, later).run() }
            _ = try await backend.messages.claim(ids: [taken], topic: "conductor", owner: "other", now: now, leaseUntil: now + 60_000)
            let claimed = try await backend.messages.claim(ids: [first, taken, elsewhere, later], topic: "conductor", owner: "me", now: now, leaseUntil: now + 60_000)
            #expect(claimed.map(\.id) == [first] && claimed.first?.attempts == 1)
        }
    }

    @Test func aDoorbellKeepsTheIdsItsRingsAnnouncedAndWhetherOneNamedNone() async {
        let bell = Doorbell()
        #expect(bell.takeWork() == ([], true), "a new consumer looks for what waits")
        bell.ring(announcing: 4)
        bell.ring(announcing: 9)
        await bell.wait(upTo: .seconds(10))
        #expect(bell.takeWork() == ([4, 9], false))
        bell.ring()
        #expect(bell.takeWork() == ([], true))
        for id in 0..<Int64(Doorbell.announcedLimit + 1) { bell.ring(announcing: id) }
        #expect(bell.takeWork().unannounced, "past the limit, the consumer looks")
    }

    @Test(arguments: TestEngine.allCases)
    func aConsumerWhoseMessageWasTakenOverNoLongerHoldsIt(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            try await RPCClient(transport: Self.transport(backend)).cast(Note(number: 1), to: "conductor")
            let now = Int64(Date().timeIntervalSince1970 * 1000)
            let first = try await backend.messages.claim(topic: "conductor", owner: "first", now: now, leaseUntil: now - 1, limit: 1, maxAttempts: 5)
            let held = Envelope.Delivery(messageId: first[0].id, owner: "first")
            #expect(try await backend.transaction { tx in try await tx.messages.holds(held) })
            // Its lease ran out and another consumer took the message.
            let second = try await backend.messages.claim(topic: "conductor", owner: "second", now: now, leaseUntil: now + 60_000, limit: 1, maxAttempts: 5)
            #expect(second.map(\.id) == [held.messageId])
            #expect(try await !backend.transaction { tx in try await tx.messages.holds(held) })
            #expect(try await backend.transaction { tx in try await tx.messages.holds(Envelope.Delivery(messageId: held.messageId, owner: "second")) })
        }
    }

    @Test(arguments: TestEngine.allCases)
    func theOutboxSendsACastIfAndOnlyIfItsTransactionCommits(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            struct Abort: Error {}
            await #expect(throws: Abort.self) {
                try await backend.transaction { tx in
                    try await tx.outbox.cast(Note(number: 1), to: "conductor", requestId: nil)
                    throw Abort()
                }
            }
            try await backend.transaction { tx in try await tx.outbox.cast(Note(number: 2), to: "conductor", requestId: "req-2") }
            let transport = Self.transport(backend)
            let inbox = Inbox()
            try await running([transport, Self.server("conductor", transport, inbox: inbox)]) {
                try await inbox.wait(for: 1)
            }
            #expect(inbox.numbers == [2])
        }
    }

    @Test(arguments: TestEngine.allCases)
    func consumersInTwoProcessesShareATopicAndHandleEachMessageOnce(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let (first, second) = (Self.transport(backend), Self.transport(backend))
            let inbox = Inbox()
            let client = RPCClient(transport: first)
            try await running([first, second, Self.server("conductor", first, inbox: inbox), Self.server("conductor", second, inbox: inbox)]) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for number in 0..<200 { group.addTask { try await client.cast(Note(number: number), to: "conductor") } }
                    try await group.waitForAll()
                }
                try await inbox.wait(for: 200)
            }
            #expect(inbox.numbers.sorted() == Array(0..<200))
        }
    }
}
