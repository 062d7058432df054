public import StratusCore

/// Where the proxy learns what a console token opens: the database (`DatabaseConsoleTokens`, in the control plane) or
/// the conductor over a compute host's link (a proxy with no database). Either way the answer is
/// `SQLBackend.openConsole`'s.
public protocol ConsoleTokens: Sendable {
    /// The console `token` opens (see `OpenConsole`), spent unless `spend` is false; throws `StratusError.forbidden`
    /// (or a 403 `RemoteFault`) with the reason it may not.
    func open(_ token: String, type: ConsoleAuthToken.ConsoleType?, spend: Bool) async throws -> ConsoleAuthToken
}
