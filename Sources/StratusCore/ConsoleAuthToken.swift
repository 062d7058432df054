public import Foundation

/// A console auth token as Nova keeps it: bound to one instance on one host and one console there, expiring, and
/// stored only as its SHA-256 hash. The proxy spends it on one connection.
public struct ConsoleAuthToken: Sendable, Codable, Equatable {
    /// Nova's console types: `novnc`, `serial`.
    public enum ConsoleType: String, Sendable, Codable, CaseIterable {
        case novnc
        case serial

        /// The protocol `remote-consoles` names it with.
        public var `protocol`: String { self == .novnc ? "vnc" : "serial" }
        public var kind: RemoteConsole.Kind { self == .novnc ? .vnc : .serial }
    }

    /// The hex SHA-256 of the token.
    public var tokenHash: String
    public var instanceId: InstanceID
    public var consoleType: ConsoleType
    /// The compute host the instance was on when the token was made.
    public var host: String
    public var console: RemoteConsole
    public var createdAt: Timestamp
    public var expiresAt: Timestamp

    public init(
        tokenHash: String, instanceId: InstanceID, consoleType: ConsoleType, host: String, console: RemoteConsole, createdAt: Timestamp,
        expiresAt: Timestamp
    ) {
        self.tokenHash = tokenHash
        self.instanceId = instanceId
        self.consoleType = consoleType
        self.host = host
        self.console = console
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
