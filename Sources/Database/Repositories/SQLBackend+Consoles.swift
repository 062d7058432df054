public import StratusCore

extension SQLBackend {
    /// The console `token` opens: a console of `type` (any when nil) whose instance still runs on the host the token
    /// was made on, as Nova's novncproxy checks. The token is spent (it opens one connection) unless `spend` is false.
    /// Throws `StratusError.forbidden` with the reason it may not.
    public func openConsole(token: String, type: ConsoleAuthToken.ConsoleType?, spend: Bool, now: Timestamp) async throws -> ConsoleAuthToken {
        let found = spend ? try await consoleTokens.spend(token: token, now: now) : try await consoleTokens.find(token: token, now: now)
        guard let record = found else { throw StratusError.forbidden("The console token is invalid, used or expired.") }
        if let type, record.consoleType != type {
            throw StratusError.forbidden("The console token is for a \(record.consoleType.rawValue) console.")
        }
        guard let instance = try await compute.instance(record.instanceId), instance.vmState != .deleted,
            instance.host == record.host, [.running, .paused].contains(instance.powerState)
        else {
            throw StratusError.forbidden("The console's instance is no longer running where the token was made.")
        }
        return record
    }
}
