import ArgumentParser
import ComputeLink
import Database
import StratusApp
import StratusCore

/// The remote consoles' options, which the all-in-one cloud and `stratus novncproxy` share.
struct ConsoleOptions: ParsableArguments {
    @Option(help: "Seconds a console URL's token stays valid (Nova's token_ttl).") var consoleTokenTtl: Int64 = 600
    @Option(help: "The noVNC page console URLs point at (default: http://HOST:PORT/vnc/vnc_lite.html of the cloud).")
    var novncproxyBaseUrl: String?
    @Option(help: "The serial console WebSocket URLs point at (default: ws://HOST:PORT/serial of the cloud).") var serialproxyBaseUrl: String?
    @Option(help: "A host name browser pages may open consoles from, besides the proxy's own; repeatable (Nova's allowed_origins).")
    var consoleAllowedOrigin: [String] = []

    func settings() throws -> ConsoleSettings {
        guard consoleTokenTtl > 0 else { throw ValidationError("--console-token-ttl must be 1 or more seconds") }
        return ConsoleSettings(
            tokenLifetime: consoleTokenTtl, novncBaseURL: novncproxyBaseUrl, serialBaseURL: serialproxyBaseUrl,
            allowedOrigins: consoleAllowedOrigin.map { $0.lowercased() }
        )
    }
}

/// `stratus novncproxy`: the console proxy alone (noVNC's pages, `/vnc` and `/serial`), on the compute host whose
/// guests' console sockets it reaches, against the cloud's database or, with `--api-url`, with no database at all.
struct NoVNCProxyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "novncproxy", abstract: "Run the console proxy alone.")

    @OptionGroup var data: DataOptions
    @OptionGroup var consoles: ConsoleOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 6080
    @Option(help: "Where noVNC's files are (Debian's novnc package).") var web = "/usr/share/novnc"
    @Option(help: "No database: ask the control plane at http://HOST:PORT (a stratus api) what tokens open.") var apiURL: String?
    @Option(help: "With --api-url: the compute host's service user's credentials (stratus compute-credentials create NAME).")
    var credentials: String?
    @Option(help: "With --api-url: the compute host this proxy runs on; it opens the consoles of that host's guests only.")
    var computeHost: String?

    func validate() throws {
        guard apiURL != nil else {
            if credentials != nil || computeHost != nil { throw ValidationError("--credentials and --compute-host go with --api-url") }
            return
        }
        guard data.database == nil else { throw ValidationError("--api-url and --database exclude each other") }
        guard credentials != nil, computeHost?.isEmpty == false else { throw ValidationError("--api-url needs --credentials and --compute-host") }
    }

    func run() async throws {
        let logger = StratusLogging.logger("stratus.novncproxy")
        let source: ConsoleProxyService.TokenSource
        if let apiURL, let credentials, let computeHost {
            let url = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
            source = .controlPlane(url, credentials: try ComputeCredentials.read(file: credentials), host: computeHost)
        } else {
            source = .database(try data.location() ?? .sqlite(path: data.dataDir + "/stratus.sqlite"))
        }
        try await ConsoleProxyService.run(tokens: source, host: host, port: port, settings: try consoles.settings(), noVNCDirectory: web, logger: logger)
    }
}
