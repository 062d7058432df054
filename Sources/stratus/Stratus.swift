import ArgumentParser
import Database
import Foundation
import IdentityAPI
import Logging
import NetworkAPI
import StratusApp
import StratusCore

@main
struct Stratus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stratus",
        abstract: "An OpenStack-compatible compute cloud.",
        subcommands: [AllInOneCommand.self, DatabaseCommand.self, TokenKeysCommand.self]
    )
}

/// Options every subcommand that touches the data directory or database shares.
struct DataOptions: ParsableArguments {
    @Option(help: "Directory for the database, token keys and credential files.")
    var dataDir = "stratus-data"

    @Option(help: "postgres://USER:PASSWORD@HOST:PORT/DB, or sqlite:PATH (default: the SQLite file in the data directory).")
    var database: String?

    func location() throws -> DatabaseLocation? {
        try database.map { try DatabaseLocation(argument: $0) }
    }
}

struct AllInOneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all-in-one", abstract: "Run every service in one process.")

    @OptionGroup var data: DataOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8780
    @Option(help: "Hypervisor driver: fake (the QEMU driver is not built yet).") var driver = "fake"
    @Option(help: "Number of simulated compute hosts with the fake driver.") var fakeHosts = 1
    @Option(help: "Token lifetime in seconds.") var tokenLifetime: Int64 = 3600
    @Option(help: "Seconds a deleted server stays restorable (SOFT_DELETED) before it is reclaimed; 0 deletes at once.")
    var reclaimInstanceInterval = 0
    @Option(help: "Address block that \"get me a network\" carves project networks from.") var autoAllocatePool = "10.0.0.0/16"
    @Option(help: "Prefix length of each project's auto-allocated subnet.") var autoAllocatePrefix = 24

    func run() async throws {
        ProcessSetup.configureAllocator()
        let logger = StratusLogging.logger("stratus.all-in-one")
        guard driver == "fake" else {
            throw ValidationError("--driver \(driver): only the fake driver exists so far; the QEMU driver is the next piece of work")
        }
        guard (1...10_000).contains(fakeHosts) else { throw ValidationError("--fake-hosts must be from 1 to 10000") }
        guard reclaimInstanceInterval >= 0 else { throw ValidationError("--reclaim-instance-interval must be 0 or more seconds") }
        Console.line("stratus: compute driver fake, \(fakeHosts) host(s): fake-0 ... fake-\(fakeHosts - 1)")
        guard let pool = IPNetwork(autoAllocatePool) else {
            throw ValidationError("--auto-allocate-pool must be a CIDR with host bits zero, e.g. 10.0.0.0/16")
        }
        guard (pool.prefixLength...(pool.address.bitWidth - 2)).contains(autoAllocatePrefix) else {
            throw ValidationError("--auto-allocate-prefix must be between \(pool.prefixLength) and \(pool.address.bitWidth - 2) for \(pool)")
        }
        let configuration = CloudConfiguration(
            dataDirectory: data.dataDir, host: host, port: port, database: try data.location(),
            adminPassword: ProcessInfo.processInfo.environment["STRATUS_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            tokenLifetime: tokenLifetime,
            network: NetworkSettings(autoAllocationPool: pool, autoAllocationPrefixLength: autoAllocatePrefix),
            fakeHosts: fakeHosts,
            compute: ComputeSettings(reclaimInstanceInterval: reclaimInstanceInterval)
        )
        try await AllInOne.run(configuration, logger: logger)
    }
}

struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "db", abstract: "Database administration.", subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create or upgrade the schema.")
        @OptionGroup var data: DataOptions

        func run() async throws {
            let logger = StratusLogging.logger("stratus.db")
            let configuration = CloudConfiguration(dataDirectory: data.dataDir, database: try data.location())
            try FileManager.default.createDirectory(atPath: data.dataDir, withIntermediateDirectories: true)
            let applied = try await DatabaseMaintenance.migrate(configuration.databaseLocation, logger: logger)
            Console.line("stratus db migrate: applied \(applied.count) migration(s); schema version \(applied.last.map(String.init) ?? "unchanged")")
        }
    }
}

struct TokenKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "token-keys", abstract: "Token key management.", subcommands: [Rotate.self])

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a new primary token key; keep the newest --keep keys.")
        @OptionGroup var data: DataOptions
        @Option(help: "How many keys to keep (tokens sealed by removed keys stop validating).") var keep = 3

        func run() throws {
            let id = try TokenKeyRing.rotate(directory: data.dataDir + "/token-keys", keep: keep)
            Console.line("stratus token-keys rotate: key \(id) is now primary")
        }
    }
}
