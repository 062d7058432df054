import SQLKit
public import StratusCore

/// The instance history usage reports read: deleted instances count for the time they existed.
public protocol UsageRepository: Sendable {
    /// Instances, deleted ones included, that were launched before `end` and not terminated before `start`: of
    /// `project`, or of every project when nil. Ordered by creation, then id.
    func instances(activeFrom start: Timestamp, to end: Timestamp, project: ProjectID?) async throws -> [Instance]
}

public struct SQLUsageRepository: UsageRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func instances(activeFrom start: Timestamp, to end: Timestamp, project: ProjectID?) async throws -> [Instance] {
        let candidates = try await executor.run { db in
            // An instance launches after it is created, so the creation time bounds the scan.
            let query = db.select().column("record").from("instances").where("created_at", .lessThan, end.rawValue)
            if let project { query.where("project_id", .equal, project.rawValue) }
            return try await query.orderBy("created_at").orderBy("id").all(decodingColumn: "record", as: String.self)
                .map { try JSONColumn.decode(Instance.self, $0) }
        }
        return candidates.filter { instance in
            guard let launched = instance.launchedAt, launched < end else { return false }
            return instance.terminatedAt.map { $0 > start } ?? true
        }
    }
}

extension SQLExecutor {
    /// The usage queries on this executor.
    public var usage: any UsageRepository { SQLUsageRepository(self) }
}
