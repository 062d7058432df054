public import Foundation

/// The remote consoles' knobs, Nova's `[consoleauth]`, `[vnc]`, `[serial_console]` and `[console]` options.
public struct ConsoleSettings: Sendable, Equatable {
    /// Seconds a console auth token stays valid (Nova's `token_ttl`).
    public var tokenLifetime: Int64
    /// The noVNC page the URLs point at (Nova's `novncproxy_base_url`); nil: `<public URL>/vnc/vnc_lite.html`.
    public var novncBaseURL: String?
    /// The serial console's WebSocket (Nova's `[serial_console] base_url`); nil: `ws://<host:port>/serial`.
    public var serialBaseURL: String?
    /// Host names a browser page may connect to the proxy from, besides the proxy's own (Nova's `allowed_origins`).
    public var allowedOrigins: [String]

    public init(tokenLifetime: Int64 = 600, novncBaseURL: String? = nil, serialBaseURL: String? = nil, allowedOrigins: [String] = []) {
        self.tokenLifetime = tokenLifetime
        self.novncBaseURL = novncBaseURL
        self.serialBaseURL = serialBaseURL
        self.allowedOrigins = allowedOrigins
    }

    /// RFC 3986's unreserved characters, the only ones a query value needs to leave as they are.
    static let unreserved = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))

    /// The URL a user opens for `token`, on a cloud whose public URL is `publicURL` (`http://HOST:PORT`). noVNC's page
    /// connects its WebSocket to `/<path>` of the host that served it, so the token rides in `path`.
    public func url(for type: ConsoleAuthToken.ConsoleType, token: String, publicURL: String) -> String {
        switch type {
        case .novnc:
            let base = novncBaseURL ?? publicURL + "/vnc/vnc_lite.html"
            let path = "vnc?token=\(token)".addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
            return base + "?path=" + path
        case .serial:
            let base = serialBaseURL ?? publicURL.replacingOccurrences(of: "http://", with: "ws://") + "/serial"
            return base + "?token=" + token
        }
    }
}
