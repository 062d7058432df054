public import ComputeAgent
import Foundation
public import ComputeAPI
import Conductor
public import Database
public import HTTPSupport
public import IdentityAPI
public import ImageAPI
public import Logging
public import Messaging
public import NetworkAPI
import Scheduler
public import ServiceClients
public import ServiceLifecycle
public import StratusCore
public import Virt

/// The compute side of one process: the API, conductor, scheduler and the compute hosts, on one message bus.
public struct ComputeServices: Sendable {
    public let api: ComputeAPI
    /// The conductor's and scheduler's RPC servers and each host's server and heartbeat.
    public let services: [any Service]
    public let hosts: [String]
    /// Each fake-driver host's driver, for injecting failures and delays.
    public let drivers: [String: FakeDriver]
    let managers: [ComputeManager]
    /// The process's end of the bus, which compute hosts' links reach too.
    let transport: DatabaseTransport
    let conductor: ConductorService
    let settings: ComputeSettings
    /// When this process started: instances whose records last changed before were left by an earlier run.
    let startedAt: Timestamp

    /// The compute services of `roles` (the compute API is made either way; serving it is the router's), in-process: the
    /// durable bus on `backend`, the network service called directly, the image service as the hosts' image client, the volume service over HTTP at `publicURL` (as Nova reaches Cinder) unless `volumes` says
    /// otherwise, and `hosts` (see `ComputeHost.make`). The hosts report themselves once `ready` returns (the database
    /// is migrated).
    public init(
        backend: any SQLBackend, image: ImageAPI, network: NetworkService, tokens: TokenService, clock: any WallClock,
        publicURL: String, hosts computeHosts: [ComputeHost], settings: ComputeSettings = ComputeSettings(),
        volumes: (catalog: any VolumeCatalog, client: any VolumeServiceClient)? = nil, bus: DatabaseTransport.Settings = DatabaseTransport.Settings(),
        roles: Set<ServiceRole> = Set(ServiceRole.allCases), ready: @escaping @Sendable () async -> Void = {}, logger: Logger
    ) {
        let volumes = volumes ?? (
            catalog: HTTPVolumeCatalog(baseURL: publicURL + "/volume") as any VolumeCatalog,
            client: HTTPVolumeServiceClient(baseURL: publicURL + "/volume") as any VolumeServiceClient
        )
        let transport = DatabaseTransport(backend: backend, settings: bus, ready: ready, logger: logger)
        self.transport = transport
        let rpc = RPCClient(transport: transport)
        let networkClient = LocalNetworkClient(service: network)
        api = ComputeAPI(
            backend: backend, rpc: rpc, network: networkClient, images: image, clock: clock, baseURL: publicURL + "/compute", tokens: tokens,
            settings: settings, volumes: volumes.catalog
        )
        let serviceCaller = Self.serviceCaller(clock: clock, tokens: tokens)
        let conductor = ConductorService(backend: backend, rpc: rpc, clock: clock, logger: logger, serviceToken: serviceCaller.token)
        self.conductor = conductor
        self.settings = settings
        startedAt = Timestamp(clock.now())
        let scheduler = SchedulerService(backend: backend, clock: clock, serviceDownTime: Double(settings.serviceDownTime), logger: logger)
        var services: [any Service] = [transport]
        if roles.contains(.conductor) { services.append(conductor.server(transport: transport)) }
        if roles.contains(.scheduler) { services.append(scheduler.server(transport: transport)) }
        hosts = computeHosts.map(\.name)
        drivers = Dictionary(uniqueKeysWithValues: computeHosts.compactMap { host in (host.driver as? FakeDriver).map { (host.name, $0) } })
        let managers = computeHosts.map { host in
            ComputeManager(
                host: host.name, driver: host.driver, rpc: rpc, network: networkClient, images: image,
                volumes: volumes.client, imageCache: host.imageCache, forceConfigDrive: settings.forceConfigDrive, serviceCaller: serviceCaller, clock: clock,
                logger: logger, orphanedGuestAction: settings.orphanedGuestAction
            )
        }
        self.managers = managers
        services += Self.hostServices(
            managers, hosts: computeHosts, transport: transport, settings: settings, startedAt: startedAt, ready: ready, logger: logger
        )
        if roles.contains(.conductor), settings.reclaimInstanceInterval > 0 {
            services.append(PeriodicTask("reclaim of soft-deleted servers", every: .seconds(settings.reclaimInstanceInterval), after: ready, logger: logger) {
                try await conductor.reclaimQueuedDeletes(olderThan: settings.reclaimInstanceInterval)
            })
        }
        self.services = services
    }

    /// What each compute host runs, in all-in-one and in `stratus compute` alike: its RPC server on `transport`, its
    /// heartbeat (every `settings.reportInterval`), its periodic tasks, and the start's recovery (once `ready` returns).
    static func hostServices(
        _ managers: [ComputeManager], hosts: [ComputeHost], transport: any MessageTransport, settings: ComputeSettings,
        startedAt: Timestamp, ready: @escaping @Sendable () async -> Void, logger: Logger
    ) -> [any Service] {
        var services: [any Service] = []
        for (manager, host) in zip(managers, hosts) {
            services.append(manager.server(transport: transport))
            services.append(HeartbeatService(manager: manager, interval: .seconds(settings.reportInterval), ready: ready))
            if settings.syncPowerStateInterval > 0 {
                services.append(PeriodicTask("power-state sync on \(manager.host)", every: .seconds(settings.syncPowerStateInterval), after: ready, logger: logger) {
                    await manager.syncPowerStates()
                })
            }
            if host.imageCache != nil, settings.imageCacheMaxAge > 0 {
                services.append(PeriodicTask("image cache cleanup on \(manager.host)", every: .seconds(settings.imageCacheInterval), after: ready, logger: logger) {
                    try await manager.removeUnusedImages(maxAge: settings.imageCacheMaxAge)
                })
            }
        }
        if !managers.isEmpty {
            services.append(StartupTask("recovery of the previous run's work", after: ready, logger: logger) {
                await Self.recover(managers: managers, startedAt: startedAt)
            })
        }
        return services
    }

    /// The start's recovery (see `ComputeManager.recover`), for work left by a run that began before `startedAt`: every
    /// host's instances and guests. What was being scheduled needs none: its messages are still on the bus.
    public func recover(startedAt: Timestamp) async throws {
        await Self.recover(managers: managers, startedAt: startedAt)
    }

    private static func recover(managers: [ComputeManager], startedAt: Timestamp) async {
        await withTaskGroup(of: Void.self) { group in
            for manager in managers { group.addTask { await manager.recover(startedAt: startedAt) } }
        }
    }

    /// Every host's power-state sync, now (the periodic task's work, for tests).
    public func syncPowerStates() async {
        for manager in managers { await manager.syncPowerStates() }
    }

    /// Every host's image cache cleanup, now, keeping what was used within `maxAge` seconds (the periodic task's work,
    /// for tests); returns the names removed.
    public func removeUnusedImages(maxAge: Int) async throws -> [String] {
        var removed: [String] = []
        for manager in managers { removed += try await manager.removeUnusedImages(maxAge: maxAge) }
        return removed
    }

    /// The conductor's reclaim of soft-deleted servers, now (the periodic task's work, for tests).
    public func reclaimQueuedDeletes() async throws {
        try await conductor.reclaimQueuedDeletes(olderThan: settings.reclaimInstanceInterval)
    }

    /// The compute hosts' own identity towards the network service: admin, as Nova's service user.
    /// The compute hosts' own identity (Nova's service user): admin, with a token the other services accept over HTTP.
    static func serviceCaller(clock: any WallClock, tokens: TokenService) -> ServiceCaller {
        let now = Timestamp(clock.now())
        let auth = AuthContext(
            userId: "stratus-compute", userDomainId: .defaultDomain, projectId: nil, domainId: nil, roles: ["admin", "member", "reader"],
            methods: ["service"], auditIds: [], issuedAt: now, expiresAt: now.adding(seconds: 365 * 86_400)
        )
        return ServiceCaller(auth: auth, token: (try? tokens.serviceToken(for: auth)) ?? "")
    }
}

extension ImageAPI: ImageCatalog, ImageServiceClient {
    public func image(_ id: ImageID, auth: AuthContext) async throws -> Image? {
        try await visibleImage(id, auth: auth)
    }

    public func createSnapshot(name: String, of instance: Instance, metadata: [String: String]) async throws -> ImageID {
        var properties = metadata
        properties["image_type"] = "snapshot"
        properties["instance_uuid"] = instance.id.rawValue
        properties["base_image_ref"] = instance.imageId?.rawValue ?? ""
        properties["user_id"] = instance.userId.rawValue
        return try await createImage(name: name, owner: instance.projectId, base: instance.imageId, properties: properties)
    }

    public func image(_ id: ImageID, credentials: Credentials) async throws -> Image {
        try await visibleImage(id, auth: Self.auth(credentials))
    }

    public func download(_ id: ImageID, to path: String, credentials: Credentials) async throws {
        try await writeData(id, auth: Self.auth(credentials), to: path)
    }

    public func upload(_ image: ImageID, file: String, credentials: Credentials) async throws {
        try await receiveData(image, fromFile: file, logger: Logger(label: "stratus.snapshot"))
    }

    public func discard(_ image: ImageID, credentials: Credentials) async throws {
        try await discardImage(image)
    }

    public func deleteImage(_ id: ImageID) async throws {
        try await discardImage(id)
    }

    /// The user a compute host acts for, as the image service's policy sees it (in-process: the token was checked by
    /// the compute API).
    static func auth(_ credentials: Credentials) -> AuthContext {
        let now = Timestamp(Date())
        return AuthContext(
            userId: credentials.userId, userDomainId: credentials.userDomainId, projectId: credentials.projectId, domainId: nil,
            roles: credentials.roles, methods: ["token"], auditIds: [], issuedAt: now, expiresAt: now.adding(seconds: 3600)
        )
    }
}
