import ArgumentParser
import Database

/// The compute benchmark: boots servers through the real API, or runs the filter scheduler over simulated hosts.
/// It prints figures as plain lines; it is not a test.
@main
struct StratusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stratus-bench",
        abstract: "Measure Stratus's compute hot path (scripts/bench-compute.sh), real guests (scripts/bench-guests.sh) and the bus (scripts/bench-bus.sh).",
        subcommands: [ServersCommand.self, ScheduleCommand.self, GuestsCommand.self, BusCommand.self]
    )
}

struct ServersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "servers",
        abstract: "Boot N servers over the HTTP API, wait for ACTIVE, list them with detail, delete them; print rates and latencies."
    )

    @Option(help: "The cloud's address, e.g. http://127.0.0.1:8780.") var url: String
    @Option(help: "The password of user admin (project admin).") var password: String
    @Option(name: .short, help: "Servers to boot.") var n = 1000
    @Option(name: .short, help: "Requests in flight at once.") var c = 8
    @Option(help: "Timed GET /servers/detail requests once all servers are ACTIVE.") var detailRounds = 50
    @Option(help: "Timed loads of the dashboard's instances page once all servers are ACTIVE (0: none).") var dashboardRounds = 20
    @Option(help: "Milliseconds between two polls of the server list while waiting for ACTIVE or for deletion.") var pollInterval = 20

    func validate() throws {
        guard n >= 1, c >= 1, detailRounds >= 1, dashboardRounds >= 0, pollInterval >= 0 else { throw ValidationError("-n, -c and --detail-rounds must be positive") }
    }

    func run() async throws {
        let cloud = try await BenchCloud.connect(url: url, password: password)
        let run = ServersBenchmark(
            cloud: cloud, count: n, concurrency: c, detailRounds: detailRounds, dashboardRounds: dashboardRounds, pollInterval: .milliseconds(pollInterval)
        )
        try await run.run()
    }
}

struct BusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bus", abstract: "The durable message bus alone on a database: casts per second, then the round trip of calls (scripts/bench-bus.sh)."
    )

    @Option(help: "postgres://USER:PASSWORD@HOST:PORT/DB (or sqlite:PATH).") var database: String
    @Option(help: "Casts to enqueue and handle.") var messages = 20_000
    @Option(help: "Tasks enqueueing at once.") var producers = 16
    @Option(help: "Calls, one at a time.") var calls = 2000

    func run() async throws {
        try await BusBenchmark(database: try DatabaseLocation(argument: database), messages: messages, producers: producers, calls: calls).run()
    }
}

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Schedule instances over simulated hosts with the filter scheduler alone; print the total time."
    )

    @Option(help: "Simulated compute hosts.") var hosts = 10_000
    @Option(help: "Instances to place.") var instances = 1000

    func validate() throws {
        guard hosts >= 1, instances >= 1 else { throw ValidationError("--hosts and --instances must be positive") }
    }

    func run() throws {
        try ScheduleBenchmark(hosts: hosts, instances: instances).run()
    }
}

struct GuestsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guests",
        abstract: "Boot the test image through the API and by hand with QEMU; print the time to its banner, the ratio and the memory per guest."
    )

    @Option(help: "The cloud's address, e.g. http://127.0.0.1:8780 (an all-in-one with --driver qemu).") var url: String
    @Option(help: "The password of user admin (project admin).") var password: String
    @Option(help: "The cloud's --data-dir (absolute), where the guests' console logs are.") var dataDir: String
    @Option(help: "The pid of the stratus process, whose memory is measured.") var serverPid: Int32
    @Option(help: "The test guest image (qcow2), from scripts/build-test-image.sh.") var image: String
    @Option(help: "Boots each way.") var rounds = 5
    @Option(help: "Guests running at once for the memory figure.") var memoryGuests = 4

    func validate() throws {
        guard rounds >= 1, memoryGuests >= 1 else { throw ValidationError("--rounds and --memory-guests must be positive") }
        guard dataDir.hasPrefix("/"), image.hasPrefix("/") else { throw ValidationError("--data-dir and --image must be absolute paths") }
    }

    func run() async throws {
        let cloud = try await BenchCloud.connect(url: url, password: password)
        try await GuestsBenchmark(
            cloud: cloud, dataDirectory: dataDir, serverPid: serverPid, image: image, rounds: rounds, memoryGuests: memoryGuests
        ).run()
    }
}
