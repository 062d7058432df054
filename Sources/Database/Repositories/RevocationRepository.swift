import SQLKit
public import StratusCore

/// A record that tokens matching it, issued at or before `issuedBefore`, are no longer valid.
public struct RevocationEvent: Sendable, Codable, Equatable {
    public var id: String
    /// One token chain (its audit id), or
    public var auditId: String?
    /// every token of a user (optionally only those scoped to `projectId`), or
    public var userId: UserID?
    /// every token scoped to a project, or
    public var projectId: ProjectID?
    /// every token scoped to a domain.
    public var domainId: DomainID?
    public var issuedBefore: Timestamp

    public init(
        auditId: String? = nil, userId: UserID? = nil, projectId: ProjectID? = nil, domainId: DomainID? = nil, issuedBefore: Timestamp
    ) {
        self.id = UUIDHex.random()
        self.auditId = auditId
        self.userId = userId
        self.projectId = projectId
        self.domainId = domainId
        self.issuedBefore = issuedBefore
    }
}

/// What a token is checked against on every validation.
public protocol RevocationRepository: Sendable {
    func add(_ event: RevocationEvent) async throws
    /// True when an event covers a token of `userId`, scoped to `projectId` or `domainId`, with one of `auditIds`,
    /// issued at `issuedAt`.
    func isRevoked(auditIds: [String], userId: UserID, projectId: ProjectID?, domainId: DomainID?, issuedAt: Timestamp) async throws -> Bool
    /// Drops events older than any token that could still be valid.
    func purge(issuedBefore: Timestamp) async throws
}

public struct SQLRevocationRepository: RevocationRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func add(_ event: RevocationEvent) async throws {
        try await executor.run { db in
            try await db.insert(into: "revocation_events")
                .model(event, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
    }

    public func isRevoked(
        auditIds: [String], userId: UserID, projectId: ProjectID?, domainId: DomainID?, issuedAt: Timestamp
    ) async throws -> Bool {
        try await executor.run { db in
            let row = try await db.select().column("id").from("revocation_events")
                .where("issued_before", .greaterThanOrEqual, issuedAt.rawValue)
                .where { group in
                    if !auditIds.isEmpty {
                        group.orWhere("audit_id", .in, auditIds)
                    }
                    group.orWhere { user in
                        user.where("user_id", .equal, userId.rawValue)
                            .where { project in
                                project.where("project_id", .is, SQLLiteral.null)
                                if let projectId { project.orWhere("project_id", .equal, projectId.rawValue) }
                                return project
                            }
                    }
                    if let projectId {
                        group.orWhere { project in
                            project.where("user_id", .is, SQLLiteral.null).where("project_id", .equal, projectId.rawValue)
                        }
                    }
                    if let domainId {
                        group.orWhere { domain in
                            domain.where("user_id", .is, SQLLiteral.null).where("domain_id", .equal, domainId.rawValue)
                        }
                    }
                    return group
                }
                .limit(1)
                .first()
            return row != nil
        }
    }

    public func purge(issuedBefore: Timestamp) async throws {
        try await executor.run { db in
            try await db.delete(from: "revocation_events").where("issued_before", .lessThan, issuedBefore.rawValue).run()
        }
    }
}
