import Database
import Foundation
public import HTTPTypes
import HummingbirdCore
import StratusCore

/// Who may open a console: a browser page of an allowed origin, with an unspent token of the console it asks for,
/// whose instance is still on the host and running there. Nova's novncproxy checks the same.
struct ConsoleAdmission: Sendable {
    let backend: any SQLBackend
    let clock: any WallClock
    let settings: ConsoleSettings

    /// Why a connection is refused; the message is what the client reads in the WebSocket close frame.
    struct Refusal: Error, Equatable, CustomStringConvertible {
        let description: String
    }

    /// The console to connect to, spending the token; throws `Refusal`.
    func admit(_ request: HTTPRequest, type: ConsoleAuthToken.ConsoleType) async throws -> (token: ConsoleAuthToken, console: RemoteConsole) {
        try checkOrigin(request)
        let uri = URI(request.path ?? "")
        guard let token = uri.queryParameters["token"].map(String.init), !token.isEmpty else {
            throw Refusal(description: "The console token is missing.")
        }
        let now = Timestamp(clock.now())
        guard let record = try await backend.consoleTokens.spend(token: token, now: now) else {
            throw Refusal(description: "The console token is invalid, used or expired.")
        }
        guard record.consoleType == type else {
            throw Refusal(description: "The console token is for a \(record.consoleType.rawValue) console.")
        }
        guard let instance = try await backend.compute.instance(record.instanceId), instance.vmState != .deleted,
            instance.host == record.host, [.running, .paused].contains(instance.powerState)
        else {
            throw Refusal(description: "The console's instance is no longer running where the token was made.")
        }
        return (record, record.console)
    }

    /// A request from a browser carries `Origin`: its host must be the host the proxy was reached at, or allowed.
    /// Clients that are not browsers send none.
    func checkOrigin(_ request: HTTPRequest) throws {
        guard let origin = request.headerFields[.origin] else { return }
        guard let originHost = Self.hostName(ofURL: origin) else { throw Refusal(description: "The origin \(origin.prefix(100)) is not a URL.") }
        // HTTP/1's Host header is the request's authority.
        let expected = request.authority.map { Self.hostName(ofAuthority: $0) }
        guard originHost == expected || settings.allowedOrigins.contains(originHost) else {
            throw Refusal(description: "The origin \(originHost.prefix(100)) is not allowed to open consoles here.")
        }
    }

    /// `example.org` of `http://example.org:6080`.
    static func hostName(ofURL url: String) -> String? {
        guard let range = url.range(of: "://") else { return nil }
        let authority = url[range.upperBound...].prefix { $0 != "/" }
        return authority.isEmpty ? nil : hostName(ofAuthority: String(authority))
    }

    /// `example.org` of `example.org:6080`, `::1` of `[::1]:6080`; lower-cased.
    static func hostName(ofAuthority authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end]).lowercased()
        }
        return String(authority.prefix { $0 != ":" }).lowercased()
    }
}
