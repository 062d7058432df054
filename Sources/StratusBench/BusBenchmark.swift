import Database
import Foundation
import Logging
import Messaging
import ServiceLifecycle
import Synchronization

/// The durable message bus alone, on a real database: casts enqueued, claimed, handled (a no-op) and removed, as
/// messages per second; then, after the transport's maintenance, calls one at a time (enqueue, claim, reply), as
/// round-trip percentiles.
struct BusBenchmark {
    let database: DatabaseLocation
    let messages: Int
    let producers: Int
    let calls: Int

    final class Counter: Sendable {
        let count = Mutex(0)
    }

    struct Nothing: RPCMessage {
        static let method = "bench_nothing"
    }

    struct Echo: RPCRequest {
        typealias Reply = Int
        static let method = "bench_echo"
        var value: Int
    }

    func run() async throws {
        let logger = { var logger = Logger(label: "stratus.bench"); logger.logLevel = .warning; return logger }()
        let backend = try await database.open(logger: logger)
        try await backend.whileRunning {
            try await Migrator(logger: logger).migrate(backend)
            let transport = DatabaseTransport(backend: backend, logger: logger)
            let handled = Counter()
            let server = {
                var server = RPCServer(topic: "bench", transport: transport)
                server.on(Nothing.self) { _, _ in handled.count.withLock { $0 += 1 } }
                server.answer(Echo.self) { echo, _ in echo.value }
                return server
            }()
            let client = RPCClient(transport: transport)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await transport.run() }
                group.addTask { try await server.run() }
                let clock = ContinuousClock()
                let started = clock.now
                try await withThrowingTaskGroup(of: Void.self) { producers in
                    for producer in 0..<self.producers {
                        producers.addTask {
                            for _ in stride(from: producer, to: messages, by: self.producers) { try await client.cast(Nothing(), to: "bench") }
                        }
                    }
                    try await producers.waitForAll()
                }
                let enqueued = clock.now - started
                while handled.count.withLock({ $0 }) < messages { try await Task.sleep(for: .milliseconds(1)) }
                let total = clock.now - started
                print("bus casts: \(messages) messages from \(producers) producers enqueued in \(format(enqueued.seconds)) s, "
                    + "all handled in \(format(total.seconds)) s: \(Int(Double(messages) / total.seconds)) messages/s enqueue-claim-ack")
                // As the transport's next tick would: the casts left 20,000 dead rows for the calls to step over.
                await transport.maintain()
                var latencies = Latencies()
                for value in 0..<calls {
                    let sent = clock.now
                    guard try await client.call(Echo(value: value), to: "bench") == value else { throw CancellationError() }
                    latencies.append(clock.now - sent)
                }
                print(latencies.line("bus call round trip", of: "calls"))
                group.cancelAll()
            }
        }
    }
}
