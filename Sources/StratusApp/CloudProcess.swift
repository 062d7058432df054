import Foundation
import ServiceClients
import ServiceLifecycle
import UnixSignals
import ComputeAPI
import ConsoleProxy
import Dashboard
import Database
import HTTPSupport
import Hummingbird
import IdentityAPI
import ImageAPI
import GuestMetadata
import MetadataAPI
import NetworkAPI
import VolumeAPI
public import Logging
import NIOCore
import StratusCore

/// A Stratus process: `stratus all-in-one` (every role, one listener, one ServiceGroup), or one service of the
/// distributed mode (`stratus api`, `stratus conductor`, `stratus scheduler`) on a shared database, on the same code.
public enum CloudProcess {
    /// Runs `roles` until SIGTERM or SIGINT. Prints `stratus ready: URL` once the API answers requests (a process
    /// without the API prints `stratus ROLE ready` once its database is migrated).
    public static func run(_ configuration: CloudConfiguration, roles: Set<ServiceRole>, logger: Logger) async throws {
        let files = FileManager.default
        try files.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The driver first: a host that cannot run guests stops the start before anything else is opened.
        let hosts = roles.contains(.compute) ? try await ComputeHost.make(configuration.driver) : []
        if roles.contains(.compute) { Console.line("stratus: \(ComputeHost.summary(hosts))") }
        let backend = try await configuration.databaseLocation.open(logger: logger)
        let keys = try TokenKeyRing.load(directory: configuration.tokenKeyDirectory)
        let hasher = PasswordHasher(cost: configuration.passwordCost)
        let publicURL = configuration.publicURL(port: configuration.port)
        let identity = IdentityAPI(
            backend: backend,
            tokens: TokenService(backend: backend, keys: keys, hasher: hasher, clock: SystemWallClock(), lifetime: configuration.tokenLifetime),
            hasher: hasher,
            urls: IdentityURLs(base: publicURL + "/identity")
        )
        let image = ImageAPI(
            backend: backend, store: FileImageStore(directory: configuration.imageDirectory), clock: SystemWallClock(),
            baseURL: publicURL + "/image", tokens: identity.tokens
        )
        let networkService = NetworkService(backend: backend, clock: SystemWallClock(), settings: configuration.network)
        let network = NetworkAPI(service: networkService, baseURL: publicURL + "/networking", tokens: identity.tokens)
        let migrated = StartupGate()
        let compute = ComputeServices(
            backend: backend, image: image, network: networkService, tokens: identity.tokens, clock: SystemWallClock(), publicURL: publicURL,
            hosts: hosts, settings: configuration.compute, bus: DatabaseTransport.Settings(lease: configuration.messageLease, tick: configuration.messageLease / 6),
            roles: roles, ready: { await migrated.wait() }, logger: logger
        )
        do {
            if roles.contains(.api) {
                try await serveAPI(
                    configuration, backend: backend, identity: identity, image: image, network: network, compute: compute, hasher: hasher,
                    publicURL: publicURL, migrated: migrated, logger: logger
                )
            } else {
                let start = StartupTask("migration", after: {}, logger: logger) {
                    try await Migrator(logger: logger).migrate(backend)
                    migrated.open()
                    Console.line("stratus \(roles.map(\.rawValue).sorted().joined(separator: " ")) ready")
                }
                let group = ServiceGroup(
                    services: backend.services + [start] + compute.services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger
                )
                try await group.run()
            }
        } catch {
            // The database is closed either way: an open one must not be released (SQLiteNIO asserts on it).
            try? await backend.close()
            throw error
        }
        try await backend.close()
    }

    /// The one listener with every API, bootstrapped (identity, credential files, flavors) on its first start.
    private static func serveAPI(
        _ configuration: CloudConfiguration, backend: any SQLBackend, identity: IdentityAPI, image: ImageAPI, network: NetworkAPI,
        compute: ComputeServices, hasher: PasswordHasher, publicURL: String, migrated: StartupGate, logger: Logger
    ) async throws {
        let volume = VolumeServices(
            database: backend, driver: configuration.driver, dataDirectory: configuration.dataDirectory, image: image, tokens: identity.tokens,
            clock: SystemWallClock(), publicURL: publicURL, ready: { await migrated.wait() }, logger: logger
        )
        let metadata = MetadataAPI(backend: backend, signer: try MetadataSigner.load(file: configuration.dataDirectory + "/metadata-proxy-secret"))
        let consoles = ConsoleProxy(tokens: DatabaseConsoleTokens(backend: backend, clock: SystemWallClock()), settings: configuration.compute.consoles, logger: logger)
        let listener = ListenerURL(publicURL)
        let router = CloudRouter.build(
            identity: identity, image: image, network: network, volume: volume.api, compute: compute.api, metadata: metadata, consoles: consoles,
            dashboard: Dashboard(listener: listener, sessions: backend.dashboardSessions, logger: logger), logger: logger
        )
        var app = Application(
            router: router,
            server: consoles.serverBuilder(others: [
                "/bus": ComputeLinkGateway(transport: compute.transport, tokens: identity.tokens, backend: backend, logger: logger).upgrade
            ]),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "stratus"),
            services: backend.services + compute.services + volume.services,
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                listener.url = configuration.publicURL(port: port)
                Console.line("stratus ready: \(listener.url)/identity/v3")
                Console.line("stratus dashboard: \(listener.url)/dashboard")
            },
            logger: logger
        )
        app.beforeServerStarts {
            try await Migrator(logger: logger).migrate(backend)
            do {
                try await bootstrap(configuration, backend: backend, hasher: hasher, publicURL: publicURL)
                try await compute.api.bootstrapFlavors()
            } catch DatabaseError.uniqueViolation, StratusError.conflict {
                // Another API process bootstrapped the same records at the same time: what it made is used.
                try await bootstrap(configuration, backend: backend, hasher: hasher, publicURL: publicURL)
                try await compute.api.bootstrapFlavors()
            }
            migrated.open()
        }
        try await app.runService()
    }

    /// Bootstraps identity and writes the credential files. The password is printed only when generated here.
    static func bootstrap(_ configuration: CloudConfiguration, backend: any SQLBackend, hasher: PasswordHasher, publicURL: String) async throws {
        let recorded = AdminCredentials.recordedPassword(in: configuration.dataDirectory)
        let generated = configuration.adminPassword == nil && recorded == nil ? Self.generatePassword() : nil
        let password = configuration.adminPassword ?? recorded ?? generated!
        let created = try await IdentityBootstrap(adminPassword: password, services: CloudRouter.catalog(publicURL: publicURL))
            .run(backend: backend, hasher: hasher)
        try AdminCredentials(authURL: publicURL + "/identity/v3", password: password).write(to: configuration.dataDirectory)
        if created, let generated {
            Console.line("stratus: generated admin password (shown once; also in \(configuration.dataDirectory)/admin-openrc.sh): \(generated)")
        }
    }

    static func generatePassword() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
