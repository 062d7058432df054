public import Database
public import Foundation
import Dashboard
import HTTPTypes
public import ServiceClients
import Synchronization
public import HTTPSupport
public import Hummingbird
import HummingbirdTesting
public import IdentityAPI
public import ImageAPI
public import GuestMetadata
import MetadataAPI
public import NetworkAPI
public import VolumeAPI
import Logging
public import StratusApp
import ComputeAPI
import ConsoleProxy
import ComputeAgent
public import StratusCore

/// Every service in-process on SQLite in memory, built by the production router, with an injected clock. The compute
/// API and hosts call the network and volume services directly (`LocalNetworkClient`, `LocalVolumeClient`).
///
/// `test { client in ... }` runs requests through the real middleware and routes without sockets.
///
/// A class: as a struct this large, its destruction inside the generic async `with` was miscompiled (Swift 6.3.1
/// released a static object and crashed).
public final class TestCloud: Sendable {
    public static let adminPassword = "admin-test-password"
    public let clock: ManualWallClock
    public let identity: IdentityAPI
    public let image: ImageAPI
    public let network: NetworkAPI
    public let compute: ComputeServices
    public let volume: VolumeServices
    /// Signs `X-Instance-ID` for `/metadata` requests, as a compute host's metadata proxy does.
    public let metadataSigner: MetadataSigner
    /// Where the test's image data lives; removed when `test` returns.
    public let imageDirectory: String
    public let application: Application<RouterResponder<StratusRequestContext>>
    /// The cloud's database, for tests that set up records the API cannot make (an interrupted operation).
    public let backend: any SQLBackend
    /// Where the dashboard calls the APIs.
    let listener: ListenerURL

    init(
        clock: ManualWallClock, identity: IdentityAPI, image: ImageAPI, network: NetworkAPI, compute: ComputeServices, volume: VolumeServices,
        metadataSigner: MetadataSigner, imageDirectory: String, application: Application<RouterResponder<StratusRequestContext>>,
        backend: any SQLBackend, listener: ListenerURL
    ) {
        self.clock = clock
        self.identity = identity
        self.image = image
        self.network = network
        self.compute = compute
        self.volume = volume
        self.metadataSigner = metadataSigner
        self.imageDirectory = imageDirectory
        self.application = application
        self.backend = backend
        self.listener = listener
    }

    /// A cloud with a fresh in-memory database, bootstrapped as `stratus all-in-one` does, with `computeHosts` fake hosts
    /// unless `driver` says otherwise. The hosts report themselves at start and then every `compute.reportInterval` (real time).
    public static func make(
        tokenLifetime: Int64 = 3600, network settings: NetworkSettings = NetworkSettings(), computeHosts: Int = 1,
        driver: ComputeDriverChoice? = nil, compute computeSettings: ComputeSettings = ComputeSettings()
    ) async throws -> TestCloud {
        var logger = Logger(label: "stratus.test")
        logger.logLevel = .warning
        let backend = try await DatabaseLocation.sqliteInMemory.open(logger: logger)
        try await Migrator(logger: logger).migrate(backend)
        // A low scrypt cost keeps tests fast; production uses 2^14.
        let hasher = PasswordHasher(cost: 1 << 4)
        let clock = ManualWallClock()
        let publicURL = "http://127.0.0.1:8780"
        let identity = IdentityAPI(
            backend: backend,
            tokens: TokenService(backend: backend, keys: .ephemeral(), hasher: hasher, clock: clock, lifetime: tokenLifetime),
            hasher: hasher,
            urls: IdentityURLs(base: publicURL + "/identity")
        )
        try await IdentityBootstrap(adminPassword: adminPassword, services: CloudRouter.catalog(publicURL: publicURL))
            .run(backend: backend, hasher: hasher)
        let imageDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-test-images-\(UUID().uuidString)").path
        let image = ImageAPI(
            backend: backend, store: FileImageStore(directory: imageDirectory), clock: clock, baseURL: publicURL + "/image",
            tokens: identity.tokens
        )
        let networkService = NetworkService(backend: backend, clock: clock, settings: settings)
        let network = NetworkAPI(service: networkService, baseURL: publicURL + "/networking", tokens: identity.tokens)
        let volume = VolumeServices(
            database: backend, driver: driver ?? .fake(hosts: computeHosts), dataDirectory: imageDirectory, image: image, tokens: identity.tokens,
            clock: clock, publicURL: publicURL, logger: logger
        )
        // The compute API and hosts call the volume service in-process, with the user's token as over HTTP.
        let volumeClient = LocalVolumeClient(service: volume.api.service, tokens: identity.tokens, logger: logger)
        let hosts = try await ComputeHost.make(driver ?? .fake(hosts: computeHosts))
        let compute = ComputeServices(
            backend: backend, image: image, network: networkService, tokens: identity.tokens, clock: clock, publicURL: publicURL,
            hosts: hosts, settings: computeSettings, volumes: (catalog: volumeClient, client: volumeClient),
            // No test kills a consumer here, and a busy test run stalls tasks for longer than the default lease.
            bus: DatabaseTransport.Settings(lease: .seconds(600)), logger: logger
        )
        try await compute.api.bootstrapFlavors()
        let metadataSigner = MetadataSigner.ephemeral()
        let consoles = ConsoleProxy(tokens: DatabaseConsoleTokens(backend: backend, clock: clock), settings: computeSettings.consoles, logger: logger)
        // The dashboard calls the APIs over HTTP: in a `live` test, on the port the test's listener got.
        let listener = ListenerURL(publicURL)
        let router = CloudRouter.build(
            identity: identity, image: image, network: network, volume: volume.api, compute: compute.api,
            metadata: MetadataAPI(backend: backend, signer: metadataSigner), consoles: consoles,
            dashboard: Dashboard(listener: listener, sessions: backend.dashboardSessions, logger: logger), logger: logger
        )
        let application = Application(
            router: router, server: consoles.serverBuilder(), services: compute.services + volume.services, logger: logger
        )
        return TestCloud(
            clock: clock, identity: identity, image: image, network: network, compute: compute, volume: volume, metadataSigner: metadataSigner,
            imageDirectory: imageDirectory, application: application, backend: backend, listener: listener
        )
    }

    /// Runs `body` against a fresh cloud, closed when it returns.
    public static func with<T: Sendable>(
        tokenLifetime: Int64 = 3600, network: NetworkSettings = NetworkSettings(), computeHosts: Int = 1, driver: ComputeDriverChoice? = nil,
        compute: ComputeSettings = ComputeSettings(), live: Bool = false,
        _ body: @Sendable (TestCloud, TestClient) async throws -> T
    ) async throws -> T {
        let cloud = try await make(
            tokenLifetime: tokenLifetime, network: network, computeHosts: computeHosts, driver: driver, compute: compute
        )
        return try await cloud.test(live: live) { client in try await body(cloud, client) }
    }

    /// Runs `body` with a client that sends requests through the application in-process (or, `live`, over a real
    /// socket on a free loopback port, `TestClient.port`), then closes the cloud (its database and files): call it
    /// once per cloud.
    public func test<T: Sendable>(live: Bool = false, _ body: @Sendable (TestClient) async throws -> T) async throws -> T {
        defer { try? FileManager.default.removeItem(atPath: imageDirectory) }
        do {
            let result = try await application.test(live ? .live : .router) { client in
                try await waitForComputeHosts()
                if let port = client.port { listener.url = "http://127.0.0.1:\(port)" }
                return try await body(TestClient(client: client))
            }
            try await backend.close()
            return result
        } catch {
            try? await backend.close()
            throw error
        }
    }
}

extension TestCloud {
    /// Waits (with a deadline) until every compute host has reported itself, so tests can boot at once.
    func waitForComputeHosts() async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while try await backend.compute.computeNodes().count < compute.hosts.count {
            guard ContinuousClock.now < deadline else { throw TestCloudError.unexpected("compute hosts did not report in time") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// The tests' view of the cloud: JSON in, status/headers/JSON out, and helpers for tokens.
public struct TestClient: Sendable {
    let client: any TestClientProtocol

    /// The loopback port of a live cloud (`TestCloud.with(live: true)`); nil in-process.
    public var port: Int? { client.port }

    /// One response, its body parsed as JSON when it is JSON.
    public struct Reply: Sendable {
        public let status: Int
        public let headers: HTTPFields
        public let body: String

        /// A value at a path of object keys, e.g. `value("token", "user", "name")`.
        public func value(_ path: String...) -> Any? {
            guard let data = body.data(using: .utf8), var current = try? JSONSerialization.jsonObject(with: data) else { return nil }
            for key in path {
                guard let object = current as? [String: Any], let next = object[key] else { return nil }
                current = next
            }
            return current
        }

        public func header(_ name: String) -> String? {
            HTTPField.Name(name).flatMap { headers[$0] }
        }
    }

    /// Sends a request; `json` is serialized as the body (a `String` is sent as is, as JSON unless `headers` names a
    /// `Content-Type`).
    public func request(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, headers: [String: String] = [:]
    ) async throws -> Reply {
        var fields = HTTPFields()
        if let token { fields[.authToken] = token }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        var body: ByteBuffer?
        if let json {
            let data = try (json as? String).map { Data($0.utf8) } ?? JSONSerialization.data(withJSONObject: json)
            body = ByteBuffer(bytes: data)
            if fields[.contentType] == nil { fields[.contentType] = "application/json" }
        }
        return try await client.execute(uri: uri, method: method, headers: fields, body: body) { response in
            Reply(status: Int(response.status.code), headers: response.headers, body: String(buffer: response.body))
        }
    }

    /// A password token for `user` (in domain Default) scoped to `project` (nil: unscoped); fails the test unless 201.
    public func token(user: String = "admin", password: String = TestCloud.adminPassword, project: String? = "admin") async throws -> String {
        let reply = try await request(.post, "/identity/v3/auth/tokens", json: Self.passwordAuth(user: user, password: password, project: project))
        guard reply.status == 201, let token = reply.header("X-Subject-Token") else {
            throw TestCloudError.unexpected("token for \(user): \(reply.status) \(reply.body)")
        }
        return token
    }

    /// The `POST /v3/auth/tokens` body keystoneauth sends for a password.
    public static func passwordAuth(user: String, password: String, project: String?) -> [String: Any] {
        var auth: [String: Any] = [
            "identity": [
                "methods": ["password"],
                "password": ["user": ["name": user, "domain": ["name": "Default"], "password": password]],
            ]
        ]
        if let project { auth["scope"] = ["project": ["name": project, "domain": ["name": "Default"]]] }
        return ["auth": auth]
    }

    /// Creates a project and a user with `role` on it (as admin); returns their ids.
    public func createUser(
        _ name: String, password: String, project: String, role: String = "member", adminToken: String
    ) async throws -> (userId: String, projectId: String) {
        var projectReply = try await request(.get, "/identity/v3/projects?name=\(project)", token: adminToken)
        var projectId = ((projectReply.value("projects") as? [[String: Any]])?.first?["id"]) as? String
        if projectId == nil {
            projectReply = try await request(.post, "/identity/v3/projects", token: adminToken, json: ["project": ["name": project]])
            projectId = projectReply.value("project", "id") as? String
        }
        let userReply = try await request(
            .post, "/identity/v3/users", token: adminToken,
            json: ["user": ["name": name, "password": password, "default_project_id": projectId!]]
        )
        guard let userId = userReply.value("user", "id") as? String else { throw TestCloudError.unexpected("create user: \(userReply.body)") }
        let roles = try await request(.get, "/identity/v3/roles?name=\(role)", token: adminToken)
        guard let roleId = (roles.value("roles") as? [[String: Any]])?.first?["id"] as? String else {
            throw TestCloudError.unexpected("role \(role): \(roles.body)")
        }
        let grant = try await request(.put, "/identity/v3/projects/\(projectId!)/users/\(userId)/roles/\(roleId)", token: adminToken)
        guard grant.status == 204 else { throw TestCloudError.unexpected("grant: \(grant.status) \(grant.body)") }
        return (userId, projectId!)
    }
}

public enum TestCloudError: Error {
    case unexpected(String)
}

/// A clock the test moves by hand.
public final class ManualWallClock: WallClock {
    private let current = Mutex(Date(timeIntervalSince1970: 1_800_000_000))

    public init() {}

    public func now() -> Date { current.withLock { $0 } }

    public func advance(seconds: Double) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}
