import SQLKit
public import StratusCore

/// Nova's host aggregates. Every change that can move a host between zones also rewrites the zone recorded on the
/// host's compute node (`compute_nodes.availability_zone`), which is where everything else reads it; run changes in a
/// transaction so both land together.
public protocol AggregateRepository: Sendable {
    /// Inserts the aggregate (its `id` is ignored) and returns it with the id the database gave it. A taken name is a 409.
    func createAggregate(_ aggregate: Aggregate) async throws -> Aggregate
    func aggregate(id: Int) async throws -> Aggregate?
    /// Every aggregate, by id.
    func aggregates() async throws -> [Aggregate]
    /// Replaces the aggregate's name, metadata and hosts, and refreshes the zones of the hosts it had and has. A taken
    /// name is a 409.
    func saveAggregate(_ aggregate: Aggregate) async throws
    /// False when there was none.
    func deleteAggregate(id: Int) async throws -> Bool
}

private struct AggregateRow: Codable {
    var id: Int
    var uuid: String
    var name: String
    var createdAt: Timestamp
    var updatedAt: Timestamp?
}

private struct AggregateHostRow: Codable {
    var aggregateId: Int
    var host: String
}

private struct AggregateMetadataRow: Codable {
    var aggregateId: Int
    var key: String
    var value: String
}

public struct SQLAggregateRepository: AggregateRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    public func createAggregate(_ aggregate: Aggregate) async throws -> Aggregate {
        var created = aggregate
        created.hosts = []
        do {
            created.id = try await executor.atomically { tx in try await tx.run { db in
                let id = try await db.insert(into: "aggregates").columns("uuid", "name", "created_at", "updated_at")
                    .values(SQLBind(aggregate.uuid), SQLBind(aggregate.name), SQLBind(aggregate.createdAt.rawValue), SQLBind(aggregate.updatedAt?.rawValue))
                    .returning("id").first(decodingColumn: "id", as: Int.self)
                guard let id else { throw DatabaseError.uniqueViolation }
                try await Self.insertMetadata(aggregate.metadata, of: id, db)
                return id
            } }
        } catch DatabaseError.uniqueViolation {
            throw Self.nameTaken(aggregate.name)
        }
        return created
    }

    public func aggregate(id: Int) async throws -> Aggregate? {
        try await load(id: id).first
    }

    public func aggregates() async throws -> [Aggregate] {
        try await load(id: nil)
    }

    public func saveAggregate(_ aggregate: Aggregate) async throws {
        do {
            try await executor.atomically { tx in try await tx.run { db in
                let before = try await db.select().column("host").from("aggregate_hosts").where("aggregate_id", .equal, aggregate.id)
                    .all(decodingColumn: "host", as: String.self)
                try await db.update("aggregates").set("name", to: aggregate.name).set("updated_at", to: aggregate.updatedAt?.rawValue)
                    .where("id", .equal, aggregate.id).run()
                try await db.delete(from: "aggregate_metadata").where("aggregate_id", .equal, aggregate.id).run()
                try await Self.insertMetadata(aggregate.metadata, of: aggregate.id, db)
                try await db.delete(from: "aggregate_hosts").where("aggregate_id", .equal, aggregate.id).run()
                for host in aggregate.hosts {
                    try await db.insert(into: "aggregate_hosts").model(
                        AggregateHostRow(aggregateId: aggregate.id, host: host), keyEncodingStrategy: ColumnNames.encoding
                    ).run()
                }
                try await Self.refreshZones(of: Set(before).union(aggregate.hosts), db)
            } }
        } catch DatabaseError.uniqueViolation {
            throw Self.nameTaken(aggregate.name)
        }
    }

    public func deleteAggregate(id: Int) async throws -> Bool {
        try await executor.run { db in
            !(try await db.delete(from: "aggregates").where("id", .equal, id).returning("id").all()).isEmpty
        }
    }

    private static func nameTaken(_ name: String) -> StratusError {
        .conflict("Aggregate \(name) already exists.")
    }

    private static func insertMetadata(_ metadata: [String: String], of id: Int, _ db: any SQLDatabase) async throws {
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            try await db.insert(into: "aggregate_metadata").model(
                AggregateMetadataRow(aggregateId: id, key: key, value: value), keyEncodingStrategy: ColumnNames.encoding
            ).run()
        }
    }

    /// Writes each host's zone: its aggregates' `availability_zone`, else Nova's default zone.
    private static func refreshZones(of hosts: Set<String>, _ db: any SQLDatabase) async throws {
        for host in hosts.sorted() {
            let zone = try await db.select().column(SQLColumn("value", table: "aggregate_metadata")).from("aggregate_metadata")
                .join("aggregate_hosts", on: SQLColumn("aggregate_id", table: "aggregate_metadata"), .equal, SQLColumn("aggregate_id", table: "aggregate_hosts"))
                .where(SQLColumn("host", table: "aggregate_hosts"), .equal, SQLBind(host))
                .where(SQLColumn("key", table: "aggregate_metadata"), .equal, SQLBind(Aggregate.zoneKey))
                .first(decodingColumn: "value", as: String.self)
            try await db.update("compute_nodes").set("availability_zone", to: zone ?? Aggregate.defaultZone).where("host", .equal, host).run()
        }
    }

    /// The aggregate `id` (every aggregate when nil), with hosts and metadata.
    private func load(id: Int?) async throws -> [Aggregate] {
        try await executor.run { db in
            let query = db.select().column("*").from("aggregates")
            if let id { query.where("id", .equal, id) }
            let rows = try await query.orderBy("id").all(decoding: AggregateRow.self, keyDecodingStrategy: ColumnNames.decoding)
            guard !rows.isEmpty else { return [] }
            let ids = rows.map(\.id)
            let hosts = try await db.select().column("*").from("aggregate_hosts").where("aggregate_id", .in, ids).orderBy("host")
                .all(decoding: AggregateHostRow.self, keyDecodingStrategy: ColumnNames.decoding)
            let metadata = try await db.select().column("*").from("aggregate_metadata").where("aggregate_id", .in, ids)
                .all(decoding: AggregateMetadataRow.self, keyDecodingStrategy: ColumnNames.decoding)
            let hostsById = Dictionary(grouping: hosts, by: \.aggregateId)
            let metadataById = Dictionary(grouping: metadata, by: \.aggregateId)
            return rows.map { row in
                Aggregate(
                    id: row.id, uuid: row.uuid, name: row.name,
                    metadata: Dictionary(uniqueKeysWithValues: (metadataById[row.id] ?? []).map { ($0.key, $0.value) }),
                    hosts: (hostsById[row.id] ?? []).map(\.host), createdAt: row.createdAt, updatedAt: row.updatedAt
                )
            }
        }
    }
}

extension SQLExecutor {
    /// The aggregate repository on this executor (the backend, or a transaction).
    public var aggregates: any AggregateRepository { SQLAggregateRepository(self) }
}
