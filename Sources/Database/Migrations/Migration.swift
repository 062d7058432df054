public import SQLKit

/// One versioned step of the schema. The same steps build SQLite and PostgreSQL databases.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let apply: @Sendable (any SQLDatabase) async throws -> Void

    public init(version: Int, name: String, apply: @escaping @Sendable (any SQLDatabase) async throws -> Void) {
        self.version = version
        self.name = name
        self.apply = apply
    }

    /// Every migration of the cloud, in order. Later services append theirs.
    public static let all: [Migration] = [
        .identity,
        .images,
        .domainRevocations,
        .networking,
        .compute,
        .serverGroupsAndQuotas,
        .aggregates,
        .migrations,
        .computePerformance,
        .computeNodeAccelerator,
        .consoleAuthTokens,
        .volumes,
        .messages,
        .requestSpecs,
        .messageIndex,
        .dashboardSessions,
    ]
}

extension SQLDataType {
    /// A boolean column: `BOOLEAN` is understood by both engines (SQLite stores 0/1).
    static let boolean = SQLDataType.custom(SQLRaw("BOOLEAN"))
}
