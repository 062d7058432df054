import Crypto
import Foundation
import SQLKit
public import StratusCore

/// Console auth tokens. The token itself is handed out once and never stored: rows hold its SHA-256.
public protocol ConsoleTokenRepository: Sendable {
    /// Records a new token for `console` of `instanceId` on `host`, valid until `now + lifetime` seconds, and returns
    /// the token. Expired tokens are dropped on the way.
    func issue(
        instanceId: InstanceID, consoleType: ConsoleAuthToken.ConsoleType, host: String, console: RemoteConsole, now: Timestamp, lifetime: Int64
    ) async throws -> (token: String, record: ConsoleAuthToken)
    /// The token's record while it is valid, without spending it (Nova's `GET /os-console-auth-tokens`).
    func find(token: String, now: Timestamp) async throws -> ConsoleAuthToken?
    /// Spends the token: returns its record and removes it, so a second use finds nothing. Nil when unknown or expired.
    func spend(token: String, now: Timestamp) async throws -> ConsoleAuthToken?
    /// Drops every token of the instance (it was deleted, stopped or moved).
    func revoke(instanceId: InstanceID) async throws
}

public struct SQLConsoleTokenRepository: ConsoleTokenRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    /// The hex SHA-256 a token is stored as.
    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    struct Row: Codable {
        var tokenHash: String
        var instanceId: String
        var consoleType: String
        var host: String
        var console: String
        var createdAt: Int64
        var expiresAt: Int64

        init(_ record: ConsoleAuthToken) throws {
            tokenHash = record.tokenHash
            instanceId = record.instanceId.rawValue
            consoleType = record.consoleType.rawValue
            host = record.host
            console = try JSONColumn.encode(record.console)
            createdAt = record.createdAt.rawValue
            expiresAt = record.expiresAt.rawValue
        }

        func record() throws -> ConsoleAuthToken? {
            guard let type = ConsoleAuthToken.ConsoleType(rawValue: consoleType) else { return nil }
            return ConsoleAuthToken(
                tokenHash: tokenHash, instanceId: InstanceID(instanceId), consoleType: type, host: host,
                console: try JSONColumn.decode(RemoteConsole.self, console), createdAt: Timestamp(rawValue: createdAt),
                expiresAt: Timestamp(rawValue: expiresAt)
            )
        }
    }

    public func issue(
        instanceId: InstanceID, consoleType: ConsoleAuthToken.ConsoleType, host: String, console: RemoteConsole, now: Timestamp, lifetime: Int64
    ) async throws -> (token: String, record: ConsoleAuthToken) {
        let token = UUID().uuidString.lowercased()
        let record = ConsoleAuthToken(
            tokenHash: Self.hash(token), instanceId: instanceId, consoleType: consoleType, host: host, console: console, createdAt: now,
            expiresAt: now.adding(seconds: lifetime)
        )
        let row = try Row(record)
        try await executor.run { db in
            try await db.delete(from: "console_auth_tokens").where("expires_at", .lessThanOrEqual, now.rawValue).run()
            try await db.insert(into: "console_auth_tokens").model(row, keyEncodingStrategy: ColumnNames.encoding).run()
        }
        return (token, record)
    }

    public func find(token: String, now: Timestamp) async throws -> ConsoleAuthToken? {
        let hash = Self.hash(token)
        let row = try await executor.run { db in
            try await db.select().columns(Self.columns).from("console_auth_tokens")
                .where("token_hash", .equal, hash).where("expires_at", .greaterThan, now.rawValue)
                .first(decoding: Row.self, keyDecodingStrategy: ColumnNames.decoding)
        }
        return try row?.record()
    }

    public func spend(token: String, now: Timestamp) async throws -> ConsoleAuthToken? {
        let hash = Self.hash(token)
        // One statement: of two connections racing with the same token, only one gets the row back.
        let row = try await executor.run { db in
            try await db.delete(from: "console_auth_tokens").where("token_hash", .equal, hash)
                .returning(Self.columns.map { SQLColumn($0) })
                .first(decoding: Row.self, keyDecodingStrategy: ColumnNames.decoding)
        }
        guard let row, row.expiresAt > now.rawValue else { return nil }
        return try row.record()
    }

    public func revoke(instanceId: InstanceID) async throws {
        try await executor.run { db in
            try await db.delete(from: "console_auth_tokens").where("instance_id", .equal, instanceId.rawValue).run()
        }
    }

    static let columns = ["token_hash", "instance_id", "console_type", "host", "console", "created_at", "expires_at"]
}

extension SQLExecutor {
    public var consoleTokens: any ConsoleTokenRepository { SQLConsoleTokenRepository(self) }
}
