import ArgumentParser

/// The compute benchmark: boots servers through the real API, or runs the filter scheduler over simulated hosts.
/// It prints figures as plain lines; it is not a test.
@main
struct StratusBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stratus-bench",
        abstract: "Measure Stratus's compute hot path (see scripts/bench-compute.sh).",
        subcommands: [ServersCommand.self, ScheduleCommand.self]
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
    @Option(help: "Milliseconds between two polls of the server list while waiting for ACTIVE or for deletion.") var pollInterval = 20

    func validate() throws {
        guard n >= 1, c >= 1, detailRounds >= 1, pollInterval >= 0 else { throw ValidationError("-n, -c and --detail-rounds must be positive") }
    }

    func run() async throws {
        let cloud = try await BenchCloud.connect(url: url, password: password)
        let run = ServersBenchmark(cloud: cloud, count: n, concurrency: c, detailRounds: detailRounds, pollInterval: .milliseconds(pollInterval))
        try await run.run()
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
