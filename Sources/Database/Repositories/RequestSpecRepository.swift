import SQLKit
public import StratusCore

/// The instances' request specs (Nova's `request_specs`), one per instance, kept as long as the instance.
public protocol RequestSpecRepository: Sendable {
    /// Records the spec, in place of the instance's earlier one.
    func saveRequestSpec(_ spec: RequestSpec) async throws
    func requestSpec(instance: InstanceID) async throws -> RequestSpec?
}

extension RequestSpecRepository {
    /// Changes the instance's spec (made from the instance when it has none recorded) and records it.
    public func changeRequestSpec(of instance: Instance, _ change: (inout RequestSpec) -> Void) async throws {
        var spec = try await requestSpec(instance: instance.id) ?? RequestSpec(of: instance)
        change(&spec)
        try await saveRequestSpec(spec)
    }
}

private struct RequestSpecRow: Codable {
    static let table = "request_specs"
    var instanceId: InstanceID
    var record: String
}

public struct SQLRequestSpecRepository: RequestSpecRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func saveRequestSpec(_ spec: RequestSpec) async throws {
        let row = RequestSpecRow(instanceId: spec.instanceId, record: try JSONColumn.encode(spec))
        try await executor.run { db in
            try await db.insert(into: RequestSpecRow.table).model(row, keyEncodingStrategy: ColumnNames.encoding)
                .onConflict(with: ["instance_id"]) { $0.set(excludedValueOf: "record") }
                .run()
        }
    }

    public func requestSpec(instance: InstanceID) async throws -> RequestSpec? {
        let row = try await executor.run { db in
            try await db.select().column("*").from(RequestSpecRow.table).where("instance_id", .equal, instance.rawValue)
                .first(decoding: RequestSpecRow.self, keyDecodingStrategy: ColumnNames.decoding)
        }
        return try row.map { try JSONColumn.decode(RequestSpec.self, $0.record) }
    }
}

extension SQLExecutor {
    /// The request spec repository on this executor (the backend, or a transaction).
    public var requestSpecs: any RequestSpecRepository { SQLRequestSpecRepository(self) }
}
