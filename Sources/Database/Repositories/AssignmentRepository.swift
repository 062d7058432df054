import SQLKit
public import StratusCore

/// Role grants of users on projects and domains.
public protocol AssignmentRepository: Sendable {
    /// Grants; granting an existing assignment again changes nothing.
    func grant(_ assignment: RoleAssignment) async throws
    /// False when there was no such assignment.
    @discardableResult func revoke(_ assignment: RoleAssignment) async throws -> Bool
    /// Assignments matching every given condition.
    func list(userId: UserID?, roleId: RoleID?, target: RoleAssignment.Target?) async throws -> [RoleAssignment]
    /// Removes every assignment on a target (when the project or domain is deleted).
    func revokeAll(on target: RoleAssignment.Target) async throws
}

public struct SQLAssignmentRepository: AssignmentRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func grant(_ assignment: RoleAssignment) async throws {
        guard try await list(userId: assignment.userId, roleId: assignment.roleId, target: assignment.target).isEmpty else {
            return
        }
        do {
            try await executor.run { db in
                try await db.insert(into: "role_assignments").model(assignment, keyEncodingStrategy: ColumnNames.encoding).run()
            }
        } catch DatabaseError.uniqueViolation {
            // A concurrent grant of the same assignment: the outcome is the same.
        }
    }

    public func revoke(_ assignment: RoleAssignment) async throws -> Bool {
        try await executor.run { db in
            let (type, id) = Self.columns(assignment.target)
            let rows = try await db.delete(from: "role_assignments")
                .where("user_id", .equal, assignment.userId.rawValue)
                .where("role_id", .equal, assignment.roleId.rawValue)
                .where("target_type", .equal, type)
                .where("target_id", .equal, id)
                .returning("user_id")
                .all()
            return !rows.isEmpty
        }
    }

    public func list(userId: UserID?, roleId: RoleID?, target: RoleAssignment.Target?) async throws -> [RoleAssignment] {
        try await executor.run { db in
            let query = db.select().column("*").from("role_assignments")
            if let userId { query.where("user_id", .equal, userId.rawValue) }
            if let roleId { query.where("role_id", .equal, roleId.rawValue) }
            if let target {
                let (type, id) = Self.columns(target)
                query.where("target_type", .equal, type).where("target_id", .equal, id)
            }
            return try await query.orderBy("user_id").orderBy("target_id").orderBy("role_id")
                .all(decoding: RoleAssignment.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func revokeAll(on target: RoleAssignment.Target) async throws {
        try await executor.run { db in
            let (type, id) = Self.columns(target)
            try await db.delete(from: "role_assignments")
                .where("target_type", .equal, type).where("target_id", .equal, id).run()
        }
    }

    private static func columns(_ target: RoleAssignment.Target) -> (String, String) {
        switch target {
        case .project(let id): ("project", id.rawValue)
        case .domain(let id): ("domain", id.rawValue)
        }
    }
}
