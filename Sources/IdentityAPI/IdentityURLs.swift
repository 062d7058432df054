/// The identity service's public URLs, for `links` and version documents.
public struct IdentityURLs: Sendable {
    /// `http://HOST:PORT/identity`
    public let base: String

    public init(base: String) {
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// `http://HOST:PORT/identity/v3`
    public var v3: String { base + "/v3" }
}
