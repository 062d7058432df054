public import Database
public import HTTPSupport
import HTTPTypes
public import Hummingbird
public import Messaging
public import NetworkAPI
public import ServiceClients
public import StratusCore

/// The images the compute API boots from: the image service, asked as the user.
public protocol ImageCatalog: Sendable {
    /// The image if the caller may see it; nil (or a 404) otherwise.
    func image(_ id: ImageID, auth: AuthContext) async throws -> Image?
    /// A new queued image for a snapshot of `instance`, owned by its project.
    func createSnapshot(name: String, of instance: Instance, metadata: [String: String]) async throws -> ImageID
    /// Removes an image compute made: the snapshot a shelved instance was deleted with.
    func deleteImage(_ id: ImageID) async throws
}

/// The Nova-compatible compute API (v2.1 with microversions), mounted at `/compute`. It validates, checks policy,
/// records instances and hands work to the conductor and the compute hosts; it never talks to a hypervisor.
public struct ComputeAPI: Sendable {
    let backend: any SQLBackend
    let computeRPC: ComputeRPCAPI
    let conductorRPC: ConductorRPCAPI
    let network: any NetworkClient
    let images: any ImageCatalog
    /// The volume service servers attach volumes from; nil: the API attaches none.
    let volumes: (any VolumeCatalog)?
    let clock: any WallClock
    /// `http://HOST:PORT/compute`
    let baseURL: String
    let tokens: any TokenValidator
    let settings: ComputeSettings

    public static let minimumVersion = APIVersion(2, 1)
    public static let maximumVersion = APIVersion(2, 96)

    public init(
        backend: any SQLBackend, rpc: RPCClient, network: any NetworkClient, images: any ImageCatalog, clock: any WallClock,
        baseURL: String, tokens: any TokenValidator, settings: ComputeSettings = ComputeSettings(), volumes: (any VolumeCatalog)? = nil
    ) {
        self.settings = settings
        self.volumes = volumes
        self.backend = backend
        computeRPC = ComputeRPCAPI(rpc)
        conductorRPC = ConductorRPCAPI(rpc)
        self.network = network
        self.images = images
        self.clock = clock
        self.baseURL = baseURL
        self.tokens = tokens
    }

    var repository: any ComputeRepository { backend.compute }
    /// `http://HOST:PORT`, which the console URLs are built on.
    var publicURL: String { String(baseURL.dropLast("/compute".count)) }
    var now: Timestamp { Timestamp(clock.now()) }

    /// Adds every compute route under `/compute`.
    public func addRoutes(to router: Router<StratusRequestContext>) {
        let root = router.group("compute")
        ComputeVersionController(baseURL: baseURL).addRoutes(to: root)
        let v21 = root.group("v2.1")
            .add(middleware: MicroversionMiddleware(
                service: "compute", minimum: Self.minimumVersion, maximum: Self.maximumVersion, legacyHeader: "X-OpenStack-Nova-API-Version"
            ))
            .add(middleware: AuthMiddleware(validator: tokens))
        FlavorController(api: self).addRoutes(to: v21)
        KeypairController(api: self).addRoutes(to: v21)
        ServerController(api: self).addRoutes(to: v21)
        ServerActionController(api: self).addRoutes(to: v21)
        ServerMetadataController(api: self).addRoutes(to: v21)
        VolumeAttachmentController(api: self).addRoutes(to: v21)
        InstanceActionController(api: self).addRoutes(to: v21)
        HostController(api: self).addRoutes(to: v21)
        QuotaController(api: self).addRoutes(to: v21)
        ServerGroupController(api: self).addRoutes(to: v21)
        AggregateController(api: self).addRoutes(to: v21)
        UsageController(api: self).addRoutes(to: v21)
        MigrationController(api: self).addRoutes(to: v21)
        RemoteConsoleController(api: self).addRoutes(to: v21)
    }

    /// Before a call to a compute host: a host whose service is down is not asked (Nova's
    /// `check_instance_host(check_is_up=True)`); the caller gets a 503 at once instead of waiting out the RPC timeout.
    func requireUp(_ host: String) async throws {
        guard let node = try await repository.computeNode(host: host), isUp(node) else {
            throw StratusError.unavailable("The compute service of host \(host) is unavailable at this time.")
        }
    }

    /// Whether the host's service is up: heard from within the service down time.
    func isUp(_ node: ComputeNode) -> Bool {
        node.isUp(at: now, downTime: Double(settings.serviceDownTime))
    }

    /// The flavors Nova makes at the first start, unless there are flavors already.
    public func bootstrapFlavors() async throws {
        guard try await repository.flavors().isEmpty else { return }
        for flavor in Flavor.defaults(at: now) { try await repository.createFlavor(flavor) }
    }
}

/// Nova's fault wording for the common cases.
enum ComputeFault {
    static func notFound(_ message: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: message, style: .nova)
    }

    static func instanceNotFound(_ id: String) -> OpenStackFault { notFound("Instance \(id.prefix(64)) could not be found.") }
    static func flavorNotFound(_ id: String) -> OpenStackFault { notFound("Flavor \(id.prefix(64)) could not be found.") }

    static func policy(_ action: String) -> StratusError {
        .forbidden("Policy doesn't allow \(action) to be performed.")
    }
}

/// Who may do what in the compute API: project-scoped callers act on their project; admin on all; readers only read.
extension AuthContext {
    /// The caller's project; 403 for a token without one.
    func computeProject() throws -> ProjectID {
        guard let projectId else { throw StratusError.forbidden("The compute API needs a project-scoped token.") }
        return projectId
    }

    func requireAdmin(_ action: String) throws {
        guard isAdmin else { throw ComputeFault.policy(action) }
    }

    func requireWriter(_ action: String) throws {
        guard canWrite else { throw ComputeFault.policy(action) }
    }
}

extension Request {
    /// The JSON body as an object.
    mutating func jsonObject(context: StratusRequestContext) async throws -> [String: JSONValue] {
        try await decodeJSON([String: JSONValue].self, context: context)
    }
}
