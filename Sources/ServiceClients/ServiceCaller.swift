import Synchronization

/// The user on whose behalf one service calls another: its validated token, for an in-process call, and the token
/// itself, for a call over HTTP (as nova passes the user's token to neutron).
public struct ServiceCaller: Sendable {
    public let auth: AuthContext
    private let source: RenewedToken

    /// A caller with a token that does not change (a user's request).
    public init(auth: AuthContext, token: String) {
        self.auth = auth
        source = RenewedToken(token)
    }

    /// A caller whose token its holder renews (a compute host's service user).
    public init(auth: AuthContext, renewed: RenewedToken) {
        self.auth = auth
        source = renewed
    }

    public var token: String { source.current }
}

/// A token that is replaced before it expires.
public final class RenewedToken: Sendable {
    private let value: Mutex<String>

    public init(_ token: String) {
        value = Mutex(token)
    }

    public var current: String { value.withLock { $0 } }

    public func replace(with token: String) {
        value.withLock { $0 = token }
    }
}
