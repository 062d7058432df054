import Foundation
public import HTTPSupport
import HTTPTypes
import NIOCore
import NIOWebSocket
public import Hummingbird
public import HummingbirdCore
public import HummingbirdWebSocket
public import Logging
public import ServiceClients
public import StratusCore
import WSCore

/// nova-novncproxy and nova-serialproxy in one: WebSockets at `/vnc` (noVNC's RFB stream) and `/serial` (the serial
/// port's bytes) that spend a console token and relay to the guest's console on its host, and noVNC's pages at
/// `/vnc/...` beside them.
public struct ConsoleProxy: Sendable {
    let admission: ConsoleAdmission
    let pages: NoVNCPages
    let logger: Logger

    public init(
        tokens: any ConsoleTokens, settings: ConsoleSettings, noVNCDirectory: String = "/usr/share/novnc", logger: Logger
    ) {
        admission = ConsoleAdmission(tokens: tokens, settings: settings)
        pages = NoVNCPages(directory: noVNCDirectory)
        self.logger = logger
    }

    /// noVNC's files, and a page for a plain GET of a WebSocket path.
    public func addRoutes(to router: Router<StratusRequestContext>) {
        router.get("vnc/**") { request, context in
            try await page(request, segments: context.parameters.getCatchAll())
        }
        for path in ["vnc", "serial"] {
            router.get(RouterPath(path)) { _, _ in
                NoVNCPages.page(
                    .badRequest, title: "Console proxy",
                    text: "This is a WebSocket endpoint. Open the URL that `openstack console url show` gives in a browser."
                )
            }
        }
    }

    /// A noVNC page; a page opened with a console URL's token that cannot be used says so instead of failing to connect.
    func page(_ request: Request, segments: [Substring]) async throws -> Response {
        if segments.last?.hasSuffix(".html") == true, let path = request.uri.queryParameters["path"],
            let token = URI(String(path)).queryParameters["token"], !token.isEmpty,
            try await !admission.isUsable(String(token))
        {
            return NoVNCPages.page(
                .notFound, title: "Console link expired",
                text: "This console link is invalid, used or expired. Ask for a new one with `openstack console url show --novnc SERVER`."
            )
        }
        return pages.file(segments)
    }

    /// A WebSocket path's decision on an upgrade request.
    public typealias Upgrade = @Sendable (HTTPRequest) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>>

    /// The one listener's HTTP/1 server, which upgrades `/vnc` and `/serial` requests to the consoles' WebSockets and
    /// the paths of `others` to theirs. Frames may be large (a compute host's link carries whole messages in one), and a
    /// ping every 10 s finds a peer that went away silently (a compute host cut off the network).
    public func serverBuilder(others: [String: Upgrade] = [:]) -> HTTPServerBuilder {
        .http1WebSocketUpgrade(configuration: .init(maxFrameSize: 64 << 20, autoPing: .enabled(timePeriod: .seconds(10)))) { request, _, _ in
            if let other = others[URI(request.path ?? "").path] { return await other(request) }
            return await upgrade(request)
        }
    }

    public func upgrade(_ request: HTTPRequest) async -> ShouldUpgradeResult<WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>> {
        let type: ConsoleAuthToken.ConsoleType
        switch URI(request.path ?? "").path {
        case "/vnc": type = .novnc
        case "/serial": type = .serial
        default: return .dontUpgrade
        }
        var headers = HTTPFields()
        // websockify's clients ask for `binary`; noVNC's own page asks for none.
        let offered = request.headerFields[values: .secWebSocketProtocol].flatMap { $0.split(separator: ",") }
        if offered.contains(where: { $0.trimmingCharacters(in: .whitespaces) == "binary" }) { headers[.secWebSocketProtocol] = "binary" }
        let admitted: Result<(token: ConsoleAuthToken, console: RemoteConsole), ConsoleAdmission.Refusal>
        do {
            admitted = .success(try await admission.admit(request, type: type))
        } catch let refusal as ConsoleAdmission.Refusal {
            admitted = .failure(refusal)
        } catch {
            logger.error("console proxy: cannot check a console token: \(error)")
            admitted = .failure(.init(description: "The console proxy cannot check the token now."))
        }
        // The refusal is sent as the WebSocket's close frame, as websockify does: a browser shows no HTTP error body.
        return .upgrade(headers) { inbound, outbound, _ in
            switch admitted {
            case .failure(let refusal):
                logger.info("console proxy: \(type.rawValue) refused: \(refusal)")
                try await outbound.close(.policyViolation, reason: refusal.description)
            case .success(let (token, console)):
                try await relay(token: token, console: console, inbound: inbound, outbound: outbound)
            }
        }
    }

    private func relay(token: ConsoleAuthToken, console: RemoteConsole, inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        let started = ContinuousClock.now
        let session = "console proxy: \(token.consoleType.rawValue) of instance \(token.instanceId) on \(token.host)"
        let guest: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            guest = try await ConsoleRelay.connect(console.address)
        } catch {
            logger.warning("\(session): cannot reach the guest's console: \(error)")
            try await outbound.close(.unexpectedServerError, reason: "The guest's console cannot be reached.")
            return
        }
        logger.info("\(session): opened")
        do {
            let ending = try await ConsoleRelay.run(guest, inbound: inbound, outbound: outbound)
            logger.info("\(session): closed after \(ContinuousClock.now - started): \(ending.rawValue)")
        } catch {
            logger.info("\(session): closed after \(ContinuousClock.now - started): \(error)")
        }
    }
}
