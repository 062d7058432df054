import SQLKit
public import StratusCore

/// Which migrations to list: every condition set must hold (`host` matches the source or the destination).
public struct MigrationFilter: Sendable {
    public var instanceId: InstanceID?
    public var status: String?
    public var host: String?
    public var sourceCompute: String?
    public var migrationType: String?
    public var userId: UserID?
    public var projectId: ProjectID?
    /// Updated at or after (Nova's `changes-since`).
    public var changedSince: Timestamp?
    /// Updated at or before (Nova's `changes-before`).
    public var changedBefore: Timestamp?

    public init() {}
}

/// Nova's migration records.
public protocol MigrationRepository: Sendable {
    /// Inserts the record (its `id` is ignored) and returns it with the id the database gave it.
    func createMigration(_ migration: InstanceMigration) async throws -> InstanceMigration
    /// Matching records, newest first (Nova's order: created_at, then id, descending).
    func migrations(_ filter: MigrationFilter) async throws -> [InstanceMigration]
    /// Moves the instance's migration that is not over yet to `status`; false when it has none.
    func setMigrationStatus(instance: InstanceID, to status: InstanceMigration.Status, at time: Timestamp) async throws -> Bool
}

private struct MigrationRow: Codable {
    var id: Int
    var uuid: String
    var instanceId: InstanceID
    var projectId: ProjectID
    var userId: UserID
    var migrationType: String
    var status: InstanceMigration.Status
    var sourceCompute: String
    var destCompute: String
    var oldFlavorId: FlavorID
    var newFlavorId: FlavorID
    var createdAt: Timestamp
    var updatedAt: Timestamp?

    var migration: InstanceMigration {
        InstanceMigration(
            id: id, uuid: uuid, instanceId: instanceId, projectId: projectId, userId: userId, migrationType: migrationType, status: status,
            sourceCompute: sourceCompute, destCompute: destCompute, oldFlavorId: oldFlavorId, newFlavorId: newFlavorId,
            createdAt: createdAt, updatedAt: updatedAt
        )
    }
}

public struct SQLMigrationRepository: MigrationRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func createMigration(_ migration: InstanceMigration) async throws -> InstanceMigration {
        var created = migration
        created.id = try await executor.run { db in
            let id = try await db.insert(into: "migrations")
                .columns("uuid", "instance_id", "project_id", "user_id", "migration_type", "status", "source_compute", "dest_compute",
                         "old_flavor_id", "new_flavor_id", "created_at", "updated_at")
                .values(
                    SQLBind(migration.uuid), SQLBind(migration.instanceId.rawValue), SQLBind(migration.projectId.rawValue),
                    SQLBind(migration.userId.rawValue), SQLBind(migration.migrationType), SQLBind(migration.status.rawValue),
                    SQLBind(migration.sourceCompute), SQLBind(migration.destCompute), SQLBind(migration.oldFlavorId.rawValue),
                    SQLBind(migration.newFlavorId.rawValue), SQLBind(migration.createdAt.rawValue), SQLBind(migration.updatedAt?.rawValue)
                )
                .returning("id").first(decodingColumn: "id", as: Int.self)
            guard let id else { throw StratusError.unavailable("The migration record was not stored.") }
            return id
        }
        return created
    }

    public func migrations(_ filter: MigrationFilter) async throws -> [InstanceMigration] {
        try await executor.run { db in
            let query = db.select().column("*").from("migrations")
            if let id = filter.instanceId { query.where("instance_id", .equal, id.rawValue) }
            if let status = filter.status { query.where("status", .equal, status) }
            if let host = filter.host { query.where { $0.where("source_compute", .equal, host).orWhere("dest_compute", .equal, host) } }
            if let source = filter.sourceCompute { query.where("source_compute", .equal, source) }
            if let type = filter.migrationType { query.where("migration_type", .equal, type) }
            if let user = filter.userId { query.where("user_id", .equal, user.rawValue) }
            if let project = filter.projectId { query.where("project_id", .equal, project.rawValue) }
            // A record never updated counts as changed when it was created, as in Nova.
            let changed = SQLFunction("COALESCE", args: SQLIdentifier("updated_at"), SQLIdentifier("created_at"))
            if let since = filter.changedSince { query.where(changed, .greaterThanOrEqual, SQLBind(since.rawValue)) }
            if let before = filter.changedBefore { query.where(changed, .lessThanOrEqual, SQLBind(before.rawValue)) }
            return try await query.orderBy("created_at", .descending).orderBy("id", .descending)
                .all(decoding: MigrationRow.self, keyDecodingStrategy: ColumnNames.decoding).map(\.migration)
        }
    }

    public func setMigrationStatus(instance: InstanceID, to status: InstanceMigration.Status, at time: Timestamp) async throws -> Bool {
        let final = InstanceMigration.Status.allCases.filter(\.isFinal).map(\.rawValue)
        return try await executor.run { db in
            !(try await db.update("migrations").set("status", to: status.rawValue).set("updated_at", to: time.rawValue)
                .where("instance_id", .equal, instance.rawValue).where("status", .notIn, final)
                .returning("id").all()).isEmpty
        }
    }
}

extension SQLExecutor {
    /// The migration repository on this executor (the backend, or a transaction).
    public var migrations: any MigrationRepository { SQLMigrationRepository(self) }
}
