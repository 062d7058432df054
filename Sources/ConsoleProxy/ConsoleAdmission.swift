import Foundation
public import HTTPTypes
import HummingbirdCore
import Messaging
import StratusCore

/// Who may open a console: a browser page of an allowed origin, with an unspent token of the console it asks for,
/// whose instance is still on the host and running there. Nova's novncproxy checks the same.
struct ConsoleAdmission: Sendable {
    let tokens: any ConsoleTokens
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
        let record = try await refusingAsForbidden { try await tokens.open(token, type: type, spend: true) }
        return (record, record.console)
    }

    /// Whether a page opened with `token` can still connect (the token is not spent).
    func isUsable(_ token: String) async throws -> Bool {
        do {
            _ = try await refusingAsForbidden { try await tokens.open(token, type: nil, spend: false) }
            return true
        } catch is Refusal {
            return false
        }
    }

    /// `body`'s result; a 403 from it, local or remote, becomes a `Refusal` with its reason.
    private func refusingAsForbidden<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch StratusError.forbidden(let reason) {
            throw Refusal(description: reason)
        } catch let fault as RemoteFault where fault.status == 403 {
            throw Refusal(description: fault.message)
        }
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
