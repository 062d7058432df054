public import StratusCore

/// A console proxy with no database (`stratus novncproxy --api-url`, on a compute host) -> conductor: the console a
/// token opens, spending the token unless `spend` is false (a page only asking whether it is still good). Refused
/// (403, with the reason) when the token is unknown, used, expired or of another type, when its instance no longer
/// runs where the token was made, or when that host is not the one asking.
public struct OpenConsole: RPCRequest {
    public typealias Reply = ConsoleAuthToken
    public static let method = "open_console"
    public var token: String
    public var type: ConsoleAuthToken.ConsoleType?
    public var spend: Bool

    public init(token: String, type: ConsoleAuthToken.ConsoleType?, spend: Bool) {
        self.token = token
        self.type = type
        self.spend = spend
    }
}
