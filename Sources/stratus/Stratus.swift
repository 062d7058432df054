import ArgumentParser
import ComputeLink
import Database
import Foundation
import IdentityAPI
import Logging
import NetworkAPI
import ServiceClients
import StratusApp
import StratusCore
import VirtQEMU

@main
struct Stratus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stratus",
        abstract: "An OpenStack-compatible compute cloud.",
        subcommands: [
            AllInOneCommand.self, ServiceCommand<APIRole>.self, ServiceCommand<ConductorRole>.self, ServiceCommand<SchedulerRole>.self,
            ComputeCommand.self, ComputeCredentialsCommand.self, NoVNCProxyCommand.self, DatabaseCommand.self, TokenKeysCommand.self,
            MetadataRelayCommand.self,
        ]
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

/// What every process of the cloud is configured with, but the compute driver.
struct CloudOptions: ParsableArguments {
    @OptionGroup var data: DataOptions
    @OptionGroup var consoles: ConsoleOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8780
    @Option(help: "Token lifetime in seconds.") var tokenLifetime: Int64 = 3600
    @Option(help: "Seconds a message handler holds its message before, if its process died, the bus delivers it again (renewed while it works).")
    var messageLease = 30
    @Option(help: "Seconds a deleted server stays restorable (SOFT_DELETED) before it is reclaimed; 0 deletes at once.")
    var reclaimInstanceInterval = 0
    @Option(help: "Seconds without a report after which a compute host is down: skipped by the scheduler, shown down.")
    var serviceDownTime = 60
    @Option(help: "Address block that \"get me a network\" carves project networks from.") var autoAllocatePool = "10.0.0.0/16"
    @Option(help: "Prefix length of each project's auto-allocated subnet.") var autoAllocatePrefix = 24

    /// The configuration of a process whose compute hosts (if it runs any) `hosts` describes.
    func configuration(driver: ComputeDriverChoice, hosts: HostOptions? = nil) throws -> CloudConfiguration {
        guard reclaimInstanceInterval >= 0 else { throw ValidationError("--reclaim-instance-interval must be 0 or more seconds") }
        guard serviceDownTime >= 1 else { throw ValidationError("--service-down-time must be 1 second or more") }
        guard messageLease >= 2 else { throw ValidationError("--message-lease must be 2 seconds or more") }
        guard let pool = IPNetwork(autoAllocatePool) else {
            throw ValidationError("--auto-allocate-pool must be a CIDR with host bits zero, e.g. 10.0.0.0/16")
        }
        guard (pool.prefixLength...(pool.address.bitWidth - 2)).contains(autoAllocatePrefix) else {
            throw ValidationError("--auto-allocate-prefix must be between \(pool.prefixLength) and \(pool.address.bitWidth - 2) for \(pool)")
        }
        return CloudConfiguration(
            dataDirectory: data.dataDir, host: host, port: port, database: try data.location(),
            adminPassword: ProcessInfo.processInfo.environment["STRATUS_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            tokenLifetime: tokenLifetime, messageLease: .seconds(messageLease),
            network: NetworkSettings(autoAllocationPool: pool, autoAllocationPrefixLength: autoAllocatePrefix),
            driver: driver,
            compute: try hosts?.settings(reclaimInstanceInterval: reclaimInstanceInterval, serviceDownTime: serviceDownTime, consoles: try consoles.settings())
                ?? ComputeSettings(reclaimInstanceInterval: reclaimInstanceInterval, consoles: try consoles.settings(), serviceDownTime: serviceDownTime)
        )
    }
}

/// The compute hosts a process runs and how they behave (all-in-one's and `stratus compute`'s).
struct HostOptions: ParsableArguments {
    @Option(help: "Hypervisor driver: qemu (real guests) or fake (simulated hosts). Default: qemu when qemu-system-x86_64 is installed, else fake.")
    var driver: String?
    @Option(help: "Number of simulated compute hosts (--driver fake; default 1).") var fakeHosts: Int?
    @Option(help: "Name of the compute host (all-in-one: --driver qemu only; default: this machine's host name).") var computeHost: String?
    @Option(help: "QEMU accelerator: tcg (default) or kvm; never guessed from /dev/kvm (--driver qemu).") var accel: String?
    @Option(help: "Seconds a stop waits for the guest to power off on ACPI before QEMU is quit (--driver qemu; default 60).")
    var shutdownTimeout: Int?
    @Option(help: "IPv4 address of this host where live migrations bring guests in, which the other compute hosts reach (--driver qemu; default 127.0.0.1).")
    var migrationAddress: String?
    @Flag(help: "Give every server a config drive, whether its boot asked for one or not (Nova's force_config_drive).")
    var forceConfigDrive = false
    @Option(help: "What a compute host does at start with a guest no instance of it owns: log, shutdown (default) or reap.")
    var runningDeletedInstanceAction = "shutdown"
    @Option(help: "Seconds a cached image that no guest of the host uses is kept before it is removed; 0 keeps them (--driver qemu).")
    var imageCacheMaxAge = 86_400
    @Option(help: "Seconds between a compute host's reports of itself (Nova's report_interval).") var reportInterval = 10

    func settings(reclaimInstanceInterval: Int, serviceDownTime: Int, consoles: ConsoleSettings) throws -> ComputeSettings {
        guard let orphanedGuestAction = ComputeSettings.OrphanedGuestAction(rawValue: runningDeletedInstanceAction) else {
            throw ValidationError("--running-deleted-instance-action must be log, shutdown or reap")
        }
        guard imageCacheMaxAge >= 0 else { throw ValidationError("--image-cache-max-age must be 0 or more seconds") }
        guard reportInterval >= 1 else { throw ValidationError("--report-interval must be 1 second or more") }
        return ComputeSettings(
            reclaimInstanceInterval: reclaimInstanceInterval, orphanedGuestAction: orphanedGuestAction, imageCacheMaxAge: imageCacheMaxAge,
            forceConfigDrive: forceConfigDrive, consoles: consoles, reportInterval: reportInterval, serviceDownTime: serviceDownTime
        )
    }

    /// The compute hosts the options ask for; options of the other driver are refused. Guests of a QEMU host reach the
    /// metadata service at `metadata` through this binary (nil: not known yet, so none).
    func choice(dataDirectory: String, metadata: String?) throws -> ComputeDriverChoice {
        switch driver ?? (QemuDriver.isInstalled() ? "qemu" : "fake") {
        case "fake":
            guard accel == nil, shutdownTimeout == nil, migrationAddress == nil else {
                throw ValidationError("--accel, --shutdown-timeout and --migration-address are options of --driver qemu")
            }
            let hosts = fakeHosts ?? 1
            guard (1...10_000).contains(hosts) else { throw ValidationError("--fake-hosts must be from 1 to 10000") }
            return .fake(hosts: hosts)
        case "qemu":
            guard fakeHosts == nil else { throw ValidationError("--fake-hosts is an option of --driver fake") }
            guard let accelerator = QEMUCommandLine.Accelerator(rawValue: accel ?? "tcg") else {
                throw ValidationError("--accel must be tcg or kvm")
            }
            let timeout = shutdownTimeout ?? 60
            guard timeout >= 0 else { throw ValidationError("--shutdown-timeout must be 0 or more seconds") }
            let computeHost = self.computeHost ?? ProcessInfo.processInfo.hostName
            guard !computeHost.isEmpty else { throw ValidationError("--compute-host must not be empty") }
            let dataDirectory = URL(fileURLWithPath: dataDirectory).standardizedFileURL.path
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            let relay = metadata.map { [executable, "metadata-relay", "--endpoint", $0, "--secret-file", dataDirectory + "/metadata-proxy-secret"] }
            let address = migrationAddress ?? "127.0.0.1"
            guard IPAddress(address)?.version == .v4 else { throw ValidationError("--migration-address must be an IPv4 address") }
            let settings = QemuSettings(
                dataDirectory: dataDirectory, accelerator: accelerator, powerOffTimeout: .seconds(timeout), metadataRelay: relay, migrationAddress: address
            )
            return .qemu(host: computeHost, settings: settings)
        case let other:
            throw ValidationError("--driver \(other): the drivers are qemu and fake")
        }
    }
}

struct AllInOneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "all-in-one", abstract: "Run every service in one process.")

    @OptionGroup var cloud: CloudOptions
    @OptionGroup var hosts: HostOptions

    func validate() throws {
        if hosts.computeHost != nil, hosts.driver == "fake" { throw ValidationError("--compute-host is an option of --driver qemu") }
    }

    func run() async throws {
        ProcessSetup.configureAllocator()
        let logger = StratusLogging.logger("stratus.all-in-one")
        // Port 0: the port is not known yet, so the guests get no metadata relay.
        let metadata = cloud.port == 0 ? nil : "http://\(cloud.host):\(cloud.port)/metadata"
        let driver = try hosts.choice(dataDirectory: cloud.data.dataDir, metadata: metadata)
        try await CloudProcess.run(try cloud.configuration(driver: driver, hosts: hosts), roles: Set(ServiceRole.allCases), logger: logger)
    }
}

/// `stratus compute`: compute hosts with no database, linked to the control plane at `--api-url`.
struct ComputeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute", abstract: "Run compute hosts linked to a control plane (no database: a service user's credentials only)."
    )

    @Option(help: "The control plane: http://HOST:PORT of a stratus api or all-in-one.") var apiURL: String
    @Option(help: "The service user's credentials (from stratus compute-credentials create NAME).") var credentials: String
    @Option(help: "Directory for guests' disks and the image cache (--driver qemu).") var dataDir = "stratus-compute"
    @OptionGroup var hosts: HostOptions

    func run() async throws {
        ProcessSetup.configureAllocator()
        let logger = StratusLogging.logger("stratus.compute")
        guard let name = hosts.computeHost ?? Optional(ProcessInfo.processInfo.hostName), !name.isEmpty else {
            throw ValidationError("--compute-host must not be empty")
        }
        let apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let credentials = try ComputeCredentials.read(file: credentials)
        let driver = try hosts.choice(dataDirectory: dataDir, metadata: apiURL + "/metadata")
        try credentials.installMetadataSecret(at: dataDir + "/metadata-proxy-secret")
        let settings = try hosts.settings(reclaimInstanceInterval: 0, serviceDownTime: 60, consoles: ConsoleSettings())
        try await ComputeProcess.run(controlPlane: apiURL, credentials: credentials, host: name, driver: driver, settings: settings, logger: logger)
    }
}

/// `stratus compute-credentials create NAME`: a compute host's service user, and the file `stratus compute` reads.
struct ComputeCredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compute-credentials", abstract: "Compute hosts' service users.", subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create (or give a new password to) compute host NAME's service user.")
        @Argument(help: "The compute host's name.") var name: String
        @OptionGroup var data: DataOptions
        @Option(help: "The identity URL the host authenticates at.") var authURL = "http://127.0.0.1:8780/identity/v3"
        @Option(help: "Where to write the credentials (mode 0600; default DATA-DIR/compute-NAME.json).") var output: String?

        func run() async throws {
            let logger = StratusLogging.logger("stratus.compute-credentials")
            let configuration = CloudConfiguration(dataDirectory: data.dataDir, database: try data.location())
            let backend = try await configuration.databaseLocation.open(logger: logger)
            let credentials = try await backend.whileRunning {
                try await ComputeServiceUser.create(
                    host: name, authURL: authURL, metadataSecret: try SecretFile.key(at: data.dataDir + "/metadata-proxy-secret").base64EncodedString(),
                    backend: backend, hasher: PasswordHasher()
                )
            }
            let file = output ?? data.dataDir + "/compute-\(name).json"
            try credentials.write(to: file)
            Console.line("stratus compute-credentials: user \(credentials.username) of host \(name); credentials in \(file)")
        }
    }
}

/// `stratus api|conductor|scheduler`: one service of the distributed mode, on the shared database (`--database`).
struct ServiceCommand<Role: ServiceRoleName>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Role.role.rawValue, abstract: Role.abstract)
    }

    @OptionGroup var cloud: CloudOptions
    @Option(help: "Volumes: file (qcow2 files in DATA-DIR/volumes, a directory the compute hosts share) or fake (no data).")
    var volumes = "file"

    func validate() throws {
        guard cloud.data.database?.hasPrefix("postgres") == true else {
            throw ValidationError("--database postgres://USER:PASSWORD@HOST:PORT/DB is required: the services of the distributed mode share it")
        }
        guard ["file", "fake"].contains(volumes) else { throw ValidationError("--volumes must be file or fake") }
    }

    func run() async throws {
        ProcessSetup.configureAllocator()
        let logger = StratusLogging.logger("stratus.\(Role.role.rawValue)")
        // The volume backend follows the kind of hosts the driver choice names; the process runs no host itself.
        let dataDirectory = URL(fileURLWithPath: cloud.data.dataDir).standardizedFileURL.path
        let driver: ComputeDriverChoice = volumes == "fake" ? .fake(hosts: 0) : .qemu(host: "", settings: QemuSettings(dataDirectory: dataDirectory))
        try await CloudProcess.run(try cloud.configuration(driver: driver), roles: [Role.role], logger: logger)
    }
}

protocol ServiceRoleName {
    static var role: ServiceRole { get }
    static var abstract: String { get }
}

enum APIRole: ServiceRoleName {
    static let role = ServiceRole.api
    static let abstract = "Serve every HTTP API (bootstraps the cloud on its first start)."
}

enum ConductorRole: ServiceRoleName {
    static let role = ServiceRole.conductor
    static let abstract = "Run a conductor: database writes for compute hosts, builds and reschedules."
}

enum SchedulerRole: ServiceRoleName {
    static let role = ServiceRole.scheduler
    static let abstract = "Run a scheduler: pick and claim hosts."
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
