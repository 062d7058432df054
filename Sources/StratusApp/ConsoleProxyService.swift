public import ComputeLink
import ConsoleProxy
public import Database
import HTTPSupport
import Hummingbird
public import Logging
import Messaging
import ServiceClients
import ServiceLifecycle
public import StratusCore

/// `stratus novncproxy`: the console proxy in a process of its own, on the compute host whose guests' console sockets
/// it reaches; it learns what tokens open from the cloud's database, or, with no database, from the conductor over
/// the host's link to the control plane (its service user's credentials, as `stratus compute` has).
public enum ConsoleProxyService {
    public enum TokenSource: Sendable {
        case database(DatabaseLocation)
        /// `controlPlane`: http://HOST:PORT of a stratus api; `host`: the compute host, whose guests' consoles alone it opens.
        case controlPlane(String, credentials: ComputeCredentials, host: String)
    }

    public static func run(
        tokens source: TokenSource, host: String, port: Int, settings: ConsoleSettings, noVNCDirectory: String, logger: Logger
    ) async throws {
        let tokens: any ConsoleTokens
        let services: [any Service]
        var backend: (any SQLBackend)?
        switch source {
        case .database(let location):
            let opened = try await location.open(logger: logger)
            backend = opened
            tokens = DatabaseConsoleTokens(backend: opened, clock: SystemWallClock())
            services = opened.services
        case .controlPlane(let url, let credentials, let computeHost):
            let session = try await ServiceUserSession.start(credentials, logger: logger)
            let link = LinkTransport(controlPlane: url, host: computeHost, token: session.token, logger: logger)
            tokens = ControlPlaneConsoleTokens(conductor: ConductorRPCAPI(RPCClient(transport: link, timeout: .seconds(30), sender: computeHost)))
            services = [session, link]
        }
        let proxy = ConsoleProxy(tokens: tokens, settings: settings, noVNCDirectory: noVNCDirectory, logger: logger)
        let router = Router(context: StratusRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: logger))
        proxy.addRoutes(to: router)
        let app = Application(
            router: router, server: proxy.serverBuilder(), configuration: .init(address: .hostname(host, port: port), serverName: "stratus"),
            services: services,
            onServerRunning: { channel in Console.line("stratus novncproxy ready: http://\(host):\(channel.localAddress?.port ?? port)/vnc/vnc_lite.html") },
            logger: logger
        )
        try await app.runService()
        try await backend?.close()
    }
}

/// Console tokens as the conductor answers them over a compute host's link (`OpenConsole`).
struct ControlPlaneConsoleTokens: ConsoleTokens {
    let conductor: ConductorRPCAPI

    func open(_ token: String, type: ConsoleAuthToken.ConsoleType?, spend: Bool) async throws -> ConsoleAuthToken {
        try await conductor.openConsole(token: token, type: type, spend: spend)
    }
}
