/// The user on whose behalf one service calls another: its validated token, for an in-process call, and the token
/// itself, for a call over HTTP (as nova passes the user's token to neutron).
public struct ServiceCaller: Sendable {
    public let auth: AuthContext
    public let token: String

    public init(auth: AuthContext, token: String) {
        self.auth = auth
        self.token = token
    }
}
