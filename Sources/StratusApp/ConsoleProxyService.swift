import ConsoleProxy
public import Database
import HTTPSupport
import Hummingbird
public import Logging
public import StratusCore

/// `stratus novncproxy`: the console proxy in a process of its own, on the cloud's database.
public enum ConsoleProxyService {
    public static func run(
        database: DatabaseLocation, host: String, port: Int, settings: ConsoleSettings, noVNCDirectory: String, logger: Logger
    ) async throws {
        let backend = try await database.open(logger: logger)
        let proxy = ConsoleProxy(backend: backend, clock: SystemWallClock(), settings: settings, noVNCDirectory: noVNCDirectory, logger: logger)
        let router = Router(context: StratusRequestContext.self)
        router.add(middleware: RequestLogMiddleware(logger: logger))
        proxy.addRoutes(to: router)
        let app = Application(
            router: router, server: proxy.serverBuilder(), configuration: .init(address: .hostname(host, port: port), serverName: "stratus"),
            services: backend.services,
            onServerRunning: { channel in Console.line("stratus novncproxy ready: http://\(host):\(channel.localAddress?.port ?? port)/vnc/vnc_lite.html") },
            logger: logger
        )
        try await app.runService()
        try await backend.close()
    }
}
