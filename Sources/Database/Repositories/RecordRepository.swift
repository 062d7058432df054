import SQLKit
import StratusCore

/// An equality condition on a column, for listing records (`name = 'demo'`).
public struct RecordFilter: Sendable {
    public let column: String
    public let value: any Encodable & Sendable

    public init(_ column: String, _ value: any Encodable & Sendable) {
        self.column = column
        self.value = value
    }
}

/// Create, read, list, update and delete of one kind of record.
public protocol RecordRepository<Record>: Sendable {
    associatedtype Record: StoredRecord
    /// Inserts; a duplicate is a 409 `StratusError.conflict`.
    func create(_ record: Record) async throws
    func get(_ id: Record.ID) async throws -> Record?
    /// Records matching every filter, ordered by id.
    func list(_ filters: [RecordFilter]) async throws -> [Record]
    /// Replaces the stored record with the same id; false when there is none.
    @discardableResult func update(_ record: Record) async throws -> Bool
    /// False when there was nothing to delete.
    @discardableResult func delete(_ id: Record.ID) async throws -> Bool
}

extension RecordRepository {
    /// The record, or a 404 `StratusError.notFound` naming it.
    public func require(_ id: Record.ID) async throws -> Record {
        guard let record = try await get(id) else {
            throw StratusError.notFound(kind: Record.kind, id: id.rawValue)
        }
        return record
    }
}

/// The one SQL implementation of `RecordRepository`: columns are the record's keys in snake_case.
public struct SQLRecordRepository<Record: StoredRecord>: RecordRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func create(_ record: Record) async throws {
        do {
            try await executor.run { db in
                try await db.insert(into: Record.table)
                    .model(record, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil)
                    .run()
            }
        } catch DatabaseError.uniqueViolation {
            throw StratusError.conflict(
                "Conflict occurred attempting to store \(Record.kind) - Duplicate entry found \(record.duplicateDescription)."
            )
        }
    }

    public func get(_ id: Record.ID) async throws -> Record? {
        try await executor.run { db in
            try await db.select().column("*").from(Record.table)
                .where("id", .equal, id.rawValue)
                .first(decoding: Record.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func list(_ filters: [RecordFilter]) async throws -> [Record] {
        try await executor.run { db in
            let query = db.select().column("*").from(Record.table)
            for filter in filters {
                query.where(SQLIdentifier(filter.column), .equal, SQLBind(filter.value))
            }
            return try await query.orderBy("id").all(decoding: Record.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func update(_ record: Record) async throws -> Bool {
        do {
            return try await executor.run { db in
                let rows = try await db.update(Record.table)
                    .set(model: record, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil)
                    .where("id", .equal, record.id.rawValue)
                    .returning("id")
                    .all()
                return !rows.isEmpty
            }
        } catch DatabaseError.uniqueViolation {
            throw StratusError.conflict(
                "Conflict occurred attempting to update \(Record.kind) - Duplicate entry found \(record.duplicateDescription)."
            )
        }
    }

    /// Sets the record's `status` column to `to` if it is one of `from` (one statement, so of two racing changes
    /// only one applies); true when it did.
    func transition(_ id: Record.ID, from: [String], to: String, at time: Timestamp) async throws -> Bool {
        try await executor.run { db in
            let changed = try await db.update(Record.table)
                .set("status", to: to)
                .set("updated_at", to: time.rawValue)
                .where("id", .equal, id.rawValue)
                .where("status", .in, from)
                .returning("id")
                .all()
            return !changed.isEmpty
        }
    }

    public func delete(_ id: Record.ID) async throws -> Bool {
        try await executor.run { db in
            let rows = try await db.delete(from: Record.table)
                .where("id", .equal, id.rawValue)
                .returning("id")
                .all()
            return !rows.isEmpty
        }
    }
}
