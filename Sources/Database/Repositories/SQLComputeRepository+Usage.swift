import SQLKit
public import StratusCore

/// What a project's instances take, as quotas count it.
public struct InstanceUsage: Sendable, Equatable, Codable {
    public var instances: Int
    public var vcpus: Int
    public var memoryMB: Int

    public init(instances: Int, vcpus: Int, memoryMB: Int) {
        self.instances = instances
        self.vcpus = vcpus
        self.memoryMB = memoryMB
    }
}

/// Aggregates over the instances' filter columns, for the API's quota checks and the scheduler's host states: no
/// record is decoded.
extension SQLComputeRepository {
    public func instanceUsage(project: ProjectID) async throws -> InstanceUsage {
        try await executor.run { db in
            try await db.select()
                .column(SQLFunction("count", args: SQLLiteral.all), as: "instances")
                .column(Self.total("vcpus"), as: "vcpus")
                .column(Self.total("memory_mb"), as: "memory_mb")
                .from("instances").where("project_id", .equal, project.rawValue).where("deleted", .equal, false)
                .first(decoding: UsageRow.self, keyDecodingStrategy: ColumnNames.decoding)
                .map { InstanceUsage(instances: $0.instances, vcpus: $0.vcpus, memoryMB: $0.memoryMb) }
                ?? InstanceUsage(instances: 0, vcpus: 0, memoryMB: 0)
        }
    }

    public func hosts(of ids: [InstanceID]) async throws -> [InstanceID: String] {
        guard !ids.isEmpty else { return [:] }
        struct Row: Codable { var id: InstanceID; var host: String }
        return try await executor.run { db in
            let rows = try await db.select().column("id").column("host").from("instances")
                .where("id", .in, ids.map(\.rawValue)).where("host", .isNot, SQLLiteral.null).where("deleted", .equal, false)
                .all(decoding: Row.self)
            return Dictionary(rows.map { ($0.id, $0.host) }) { first, _ in first }
        }
    }

    public func busyInstanceCounts() async throws -> [String: Int] {
        struct Row: Codable { var host: String; var busy: Int }
        return try await executor.run { db in
            let rows = try await db.select().column("host").column(SQLFunction("count", args: SQLLiteral.all), as: "busy").from("instances")
                .where("host", .isNot, SQLLiteral.null).where("task_state", .isNot, SQLLiteral.null).where("deleted", .equal, false)
                .groupBy("host")
                .all(decoding: Row.self)
            return Dictionary(rows.map { ($0.host, $0.busy) }) { first, _ in first }
        }
    }

    private struct UsageRow: Codable {
        var instances: Int
        var vcpus: Int
        var memoryMb: Int
    }

    /// `CAST(COALESCE(SUM(column), 0) AS BIGINT)`: zero for no rows, and an integer on PostgreSQL too, whose SUM of
    /// bigints is numeric.
    private static func total(_ column: String) -> any SQLExpression {
        SQLCast(SQLFunction("coalesce", args: SQLFunction("sum", args: SQLIdentifier(column)), SQLLiteral.numeric("0")))
    }
}

/// `CAST(expression AS BIGINT)`.
private struct SQLCast: SQLExpression {
    let expression: any SQLExpression

    init(_ expression: any SQLExpression) {
        self.expression = expression
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.write("CAST(")
        expression.serialize(to: &serializer)
        serializer.write(" AS BIGINT)")
    }
}
