import Foundation
import SQLKit
public import StratusCore

/// The resources a claim takes on a host.
public struct ResourceClaim: Sendable, Codable, Equatable {
    public var vcpus: Int
    public var memoryMB: Int
    public var diskGB: Int

    public init(vcpus: Int, memoryMB: Int, diskGB: Int) {
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.diskGB = diskGB
    }
}

/// Nova's records: flavors, keypairs, instances and their actions, compute nodes and the claims on them.
public protocol ComputeRepository: Sendable {
    func createFlavor(_ flavor: Flavor) async throws
    func flavor(_ id: FlavorID) async throws -> Flavor?
    func flavors() async throws -> [Flavor]
    func updateFlavor(_ flavor: Flavor) async throws
    func deleteFlavor(_ id: FlavorID) async throws
    func flavorAccess(_ id: FlavorID) async throws -> [ProjectID]
    func addFlavorAccess(_ id: FlavorID, project: ProjectID) async throws
    func removeFlavorAccess(_ id: FlavorID, project: ProjectID) async throws -> Bool
    /// The private flavors `project` was given access to.
    func flavorsAccessible(by project: ProjectID) async throws -> Set<FlavorID>

    /// A duplicate name for the user is a 409.
    func createKeypair(_ keypair: Keypair) async throws
    func keypair(user: UserID, name: String) async throws -> Keypair?
    func keypairs(user: UserID) async throws -> [Keypair]
    func deleteKeypair(user: UserID, name: String) async throws -> Bool

    func createInstance(_ instance: Instance) async throws
    func instance(_ id: InstanceID) async throws -> Instance?
    /// Instances not yet deleted: of `project`, or every project's when nil.
    func instances(project: ProjectID?) async throws -> [Instance]
    /// Instances placed on `host`.
    func instances(host: String) async throws -> [Instance]
    /// Every project's instances in `vmState`.
    func instances(vmState: VMState) async throws -> [Instance]
    /// How many instances `project` has not yet deleted, and their vCPUs and memory, counted by the database.
    func instanceUsage(project: ProjectID) async throws -> InstanceUsage
    /// The host of each of `ids` that is placed and not deleted.
    func hosts(of ids: [InstanceID]) async throws -> [InstanceID: String]
    /// By host, the instances not deleted that are in a task state (building, resizing, ...).
    func busyInstanceCounts() async throws -> [String: Int]
    /// Replaces the record, only if its task state is one of `expectedTaskStates` now (nil: whatever it is). False when
    /// it was not (a concurrent operation won) or the instance is gone.
    func updateInstance(_ instance: Instance, expectedTaskStates: [TaskState?]?) async throws -> Bool

    func recordAction(_ action: InstanceAction) async throws
    func action(_ instance: InstanceID, requestId: String) async throws -> InstanceAction?
    func actions(_ instance: InstanceID) async throws -> [InstanceAction]
    func updateAction(_ action: InstanceAction) async throws

    /// Adds the node, or updates its resources and heartbeat when the host is known (keeping used amounts and admin settings).
    func upsertComputeNode(_ node: ComputeNode) async throws
    func computeNode(host: String) async throws -> ComputeNode?
    func computeNode(id: ComputeNodeID) async throws -> ComputeNode?
    func computeNodes() async throws -> [ComputeNode]
    /// Sets the admin's switches of a host's service, leaving its resources and usage alone.
    func updateService(_ node: ComputeNode) async throws
    func deleteComputeNode(host: String) async throws -> Bool
    func heartbeat(host: String, at time: Timestamp) async throws

    /// Takes `claim` from `host` for `instance` if it still fits the host's capacity (allocation ratios, reserved
    /// memory), in place of any claim the instance held (as placement replaces a consumer's allocations); false, and
    /// nothing changed, when it does not fit. Atomic: racing claims never overcommit.
    func claim(_ claim: ResourceClaim, host: String, instance: InstanceID) async throws -> Bool
    /// Gives back the instance's claim, wherever it is; false when it had none.
    func releaseClaim(instance: InstanceID) async throws -> Bool
    /// Hands a claim to another consumer, on the same host: during a move the migration (its uuid as the consumer)
    /// holds the source host's claim while the instance claims the destination, as Nova's placement allocations do.
    /// False when `from` had no claim or `to` has one.
    func moveClaim(from: InstanceID, to: InstanceID) async throws -> Bool

    func createServerGroup(_ group: ServerGroup) async throws
    func serverGroup(_ id: ServerGroupID) async throws -> ServerGroup?
    /// Every project's groups when `project` is nil.
    func serverGroups(project: ProjectID?) async throws -> [ServerGroup]
    func deleteServerGroup(_ id: ServerGroupID) async throws -> Bool
    func addMember(_ instance: InstanceID, to group: ServerGroupID) async throws
    func members(of group: ServerGroupID) async throws -> [InstanceID]
    /// Removes the instance from any group.
    func removeMember(_ instance: InstanceID) async throws

    /// The limits set for a scope (`project:<id>` or `class:default`).
    func quotaLimits(scope: String) async throws -> [String: Int]
    func setQuotaLimit(scope: String, resource: String, limit: Int) async throws
    func deleteQuotaLimits(scope: String) async throws
}

/// A compute node as a row; SQL's snake_case names round-trip only without acronyms (`memory_mb` -> `memoryMb`).
struct ComputeNodeRow: StoredRecord {
    static let table = "compute_nodes"
    static let kind = "compute node"

    var id: ComputeNodeID
    var host: String
    var availabilityZone: String
    var disabled: Bool
    var disabledReason: String?
    var forcedDown: Bool
    var lastHeartbeat: Timestamp
    var hypervisorType: String
    var hypervisorVersion: Int
    var cpuArchitecture: String
    var accelerator: String?
    var vcpus: Int
    var memoryMb: Int
    var diskGb: Int
    var vcpusUsed: Int
    var memoryMbUsed: Int
    var diskGbUsed: Int
    var instanceCount: Int
    var cpuAllocationRatio: Double
    var ramAllocationRatio: Double
    var diskAllocationRatio: Double
    var reservedMemoryMb: Int
    var createdAt: Timestamp
    var updatedAt: Timestamp

    var duplicateDescription: String { "with host \(host)" }

    init(_ node: ComputeNode) {
        id = node.id
        host = node.host
        availabilityZone = node.availabilityZone
        disabled = node.disabled
        disabledReason = node.disabledReason
        forcedDown = node.forcedDown
        lastHeartbeat = node.lastHeartbeat
        hypervisorType = node.hypervisorType
        hypervisorVersion = node.hypervisorVersion
        cpuArchitecture = node.cpuArchitecture
        accelerator = node.accelerator
        vcpus = node.vcpus
        memoryMb = node.memoryMB
        diskGb = node.diskGB
        vcpusUsed = node.vcpusUsed
        memoryMbUsed = node.memoryMBUsed
        diskGbUsed = node.diskGBUsed
        instanceCount = node.instanceCount
        cpuAllocationRatio = node.cpuAllocationRatio
        ramAllocationRatio = node.ramAllocationRatio
        diskAllocationRatio = node.diskAllocationRatio
        reservedMemoryMb = node.reservedMemoryMB
        createdAt = node.createdAt
        updatedAt = node.updatedAt
    }

    /// The node of a row, decoded column by column: the scheduler reads every node for every boot, and SQLKit's
    /// generic row decoder costs several times this.
    static func node(from row: any SQLRow) throws -> ComputeNode {
        func value<T: Decodable>(_ column: String, _ type: T.Type = T.self) throws -> T { try row.decode(column: column, as: T.self) }
        return ComputeNode(
            id: ComputeNodeID(try value("id", String.self)), host: try value("host"), availabilityZone: try value("availability_zone"),
            disabled: try value("disabled"), disabledReason: try value("disabled_reason"), forcedDown: try value("forced_down"),
            lastHeartbeat: Timestamp(rawValue: try value("last_heartbeat")), hypervisorType: try value("hypervisor_type"),
            hypervisorVersion: try value("hypervisor_version"), cpuArchitecture: try value("cpu_architecture"), accelerator: try value("accelerator"), vcpus: try value("vcpus"),
            memoryMB: try value("memory_mb"), diskGB: try value("disk_gb"), vcpusUsed: try value("vcpus_used"),
            memoryMBUsed: try value("memory_mb_used"), diskGBUsed: try value("disk_gb_used"), instanceCount: try value("instance_count"),
            cpuAllocationRatio: try value("cpu_allocation_ratio"), ramAllocationRatio: try value("ram_allocation_ratio"),
            diskAllocationRatio: try value("disk_allocation_ratio"), reservedMemoryMB: try value("reserved_memory_mb"),
            createdAt: Timestamp(rawValue: try value("created_at")), updatedAt: Timestamp(rawValue: try value("updated_at"))
        )
    }
}

extension Keypair {
    static let table = "keypairs"
}

struct FlavorRow: StoredRecord {
    static let table = "flavors"
    static let kind = "flavor"

    var id: FlavorID
    var name: String
    var vcpus: Int
    var memoryMb: Int
    var rootGb: Int
    var ephemeralGb: Int
    var swapMb: Int
    var rxtxFactor: Double
    var isPublic: Bool
    var disabled: Bool
    var description: String?
    var extraSpecs: String
    var createdAt: Timestamp

    var duplicateDescription: String { "with name \(name)" }

    init(_ flavor: Flavor) throws {
        id = flavor.id
        name = flavor.name
        vcpus = flavor.vcpus
        memoryMb = flavor.memoryMB
        rootGb = flavor.rootGB
        ephemeralGb = flavor.ephemeralGB
        swapMb = flavor.swapMB
        rxtxFactor = flavor.rxtxFactor
        isPublic = flavor.isPublic
        disabled = flavor.disabled
        description = flavor.description
        extraSpecs = try JSONColumn.encode(flavor.extraSpecs)
        createdAt = flavor.createdAt
    }

    func flavor() throws -> Flavor {
        Flavor(
            id: id, name: name, vcpus: vcpus, memoryMB: memoryMb, rootGB: rootGb, ephemeralGB: ephemeralGb, swapMB: swapMb,
            rxtxFactor: rxtxFactor, isPublic: isPublic, disabled: disabled, description: description,
            extraSpecs: try JSONColumn.decode([String: String].self, extraSpecs), createdAt: createdAt
        )
    }
}

/// An instance as a row: the columns lists filter on, and the whole record as JSON.
struct InstanceRow: Codable {
    var id: InstanceID
    var projectId: ProjectID
    var host: String?
    var vmState: String
    var taskState: String?
    var createdAt: Timestamp
    var deleted: Bool
    var vcpus: Int
    var memoryMb: Int
    var record: String

    init(_ instance: Instance) throws {
        id = instance.id
        projectId = instance.projectId
        host = instance.host
        vmState = instance.vmState.rawValue
        taskState = instance.taskState?.rawValue
        vcpus = instance.flavor.vcpus
        memoryMb = instance.flavor.memoryMB
        createdAt = instance.createdAt
        deleted = instance.vmState == .deleted
        record = try JSONColumn.encode(instance)
    }
}

struct ActionRow: Codable {
    var instanceId: InstanceID
    var requestId: String
    var startTime: Timestamp
    var record: String
}

struct AllocationRow: Codable {
    var instanceId: InstanceID
    var host: String
    var vcpus: Int
    var memoryMb: Int
    var diskGb: Int
}

public struct SQLComputeRepository: ComputeRepository {
    let executor: any SQLExecutor

    public init(_ executor: any SQLExecutor) {
        self.executor = executor
    }

    private var flavorRows: SQLRecordRepository<FlavorRow> { SQLRecordRepository(executor) }

    public func createFlavor(_ flavor: Flavor) async throws { try await flavorRows.create(try FlavorRow(flavor)) }
    public func flavor(_ id: FlavorID) async throws -> Flavor? { try await flavorRows.get(id)?.flavor() }
    public func flavors() async throws -> [Flavor] { try await flavorRows.list([]).map { try $0.flavor() } }
    public func updateFlavor(_ flavor: Flavor) async throws { _ = try await flavorRows.update(try FlavorRow(flavor)) }
    public func deleteFlavor(_ id: FlavorID) async throws { _ = try await flavorRows.delete(id) }

    public func flavorAccess(_ id: FlavorID) async throws -> [ProjectID] {
        try await executor.run { db in
            try await db.select().column("project_id").from("flavor_access").where("flavor_id", .equal, id.rawValue)
                .orderBy("project_id").all(decodingColumn: "project_id", as: ProjectID.self)
        }
    }

    public func addFlavorAccess(_ id: FlavorID, project: ProjectID) async throws {
        do {
            try await executor.run { db in
                try await db.insert(into: "flavor_access").columns("flavor_id", "project_id")
                    .values(SQLBind(id.rawValue), SQLBind(project.rawValue)).run()
            }
        } catch DatabaseError.uniqueViolation {
            throw StratusError.conflict("Flavor access already exists for flavor \(id) and project \(project) combination.")
        }
    }

    public func removeFlavorAccess(_ id: FlavorID, project: ProjectID) async throws -> Bool {
        try await executor.run { db in
            !(try await db.delete(from: "flavor_access").where("flavor_id", .equal, id.rawValue)
                .where("project_id", .equal, project.rawValue).returning("flavor_id").all()).isEmpty
        }
    }

    public func flavorsAccessible(by project: ProjectID) async throws -> Set<FlavorID> {
        try await executor.run { db in
            Set(try await db.select().column("flavor_id").from("flavor_access").where("project_id", .equal, project.rawValue)
                .all(decodingColumn: "flavor_id", as: FlavorID.self))
        }
    }

    public func createKeypair(_ keypair: Keypair) async throws {
        do {
            try await executor.run { db in
                try await db.insert(into: Keypair.table).model(keypair, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
            }
        } catch DatabaseError.uniqueViolation {
            throw StratusError.conflict("Key pair '\(keypair.name)' already exists.")
        }
    }

    public func keypair(user: UserID, name: String) async throws -> Keypair? {
        try await executor.run { db in
            try await db.select().column("*").from(Keypair.table).where("user_id", .equal, user.rawValue).where("name", .equal, name)
                .first(decoding: Keypair.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func keypairs(user: UserID) async throws -> [Keypair] {
        try await executor.run { db in
            try await db.select().column("*").from(Keypair.table).where("user_id", .equal, user.rawValue).orderBy("name")
                .all(decoding: Keypair.self, keyDecodingStrategy: ColumnNames.decoding)
        }
    }

    public func deleteKeypair(user: UserID, name: String) async throws -> Bool {
        try await executor.run { db in
            !(try await db.delete(from: Keypair.table).where("user_id", .equal, user.rawValue).where("name", .equal, name)
                .returning("name").all()).isEmpty
        }
    }

    public func createInstance(_ instance: Instance) async throws {
        let row = try InstanceRow(instance)
        try await executor.run { db in
            try await db.insert(into: "instances").model(row, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
        Self.decodedInstances.store(instance, id: row.id.rawValue, record: row.record)
    }

    // The records are decoded after `run` returns, so that the database is not held while they are.

    public func instance(_ id: InstanceID) async throws -> Instance? {
        try await executor.run { db in
            try await Self.records(db.select().column("id").column("record").from("instances").where("id", .equal, id.rawValue))
        }.map(Self.decode).first
    }

    public func instances(project: ProjectID?) async throws -> [Instance] {
        try await executor.run { db in
            let query = db.select().column("id").column("record").from("instances").where("deleted", .equal, false)
            if let project { query.where("project_id", .equal, project.rawValue) }
            return try await Self.records(query.orderBy("created_at").orderBy("id"))
        }.map(Self.decode)
    }

    public func instances(host: String) async throws -> [Instance] {
        try await executor.run { db in
            try await Self.records(db.select().column("id").column("record").from("instances").where("host", .equal, host).where("deleted", .equal, false))
        }.map(Self.decode)
    }

    public func instances(vmState: VMState) async throws -> [Instance] {
        try await executor.run { db in
            try await Self.records(db.select().column("id").column("record").from("instances").where("vm_state", .equal, vmState.rawValue))
        }.map(Self.decode)
    }

    /// Instances as read last, by id: most reads find the record unchanged since.
    private static let decodedInstances = DecodedRecordCache<Instance>(capacity: 10_000)

    /// The `id` and `record` columns of the rows `query` selects.
    private static func records(_ query: SQLSelectBuilder) async throws -> [(id: String, record: String)] {
        try await query.all().map { row in (try row.decode(column: "id", as: String.self), try row.decode(column: "record", as: String.self)) }
    }

    private static func decode(_ row: (id: String, record: String)) throws -> Instance {
        try decodedInstances.value(id: row.id, record: row.record) { try JSONColumn.decode(Instance.self, $0) }
    }

    public func updateInstance(_ instance: Instance, expectedTaskStates: [TaskState?]?) async throws -> Bool {
        let row = try InstanceRow(instance)
        let updated = try await executor.run { db in
            let query = try db.update("instances").set(model: row, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).where("id", .equal, instance.id.rawValue)
            if let expected = expectedTaskStates {
                let states = expected.compactMap { $0?.rawValue }
                let includesNone = expected.contains { $0 == nil }
                switch (states.isEmpty, includesNone) {
                case (false, true): query.where { $0.where("task_state", .in, states).orWhere("task_state", .is, SQLLiteral.null) }
                case (false, false): query.where("task_state", .in, states)
                case (true, true): query.where("task_state", .is, SQLLiteral.null)
                case (true, false): query.where(SQLLiteral.boolean(false))
                }
            }
            return !(try await query.returning("id").all()).isEmpty
        }
        if updated { Self.decodedInstances.store(instance, id: row.id.rawValue, record: row.record) }
        return updated
    }

    public func recordAction(_ action: InstanceAction) async throws {
        try await executor.run { db in
            let row = ActionRow(instanceId: action.instanceId, requestId: action.requestId, startTime: action.startTime, record: try JSONColumn.encode(action))
            try await db.insert(into: "instance_actions").model(row, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
    }

    public func action(_ instance: InstanceID, requestId: String) async throws -> InstanceAction? {
        try await executor.run { db in
            try await db.select().column("record").from("instance_actions").where("instance_id", .equal, instance.rawValue)
                .where("request_id", .equal, requestId).first(decodingColumn: "record", as: String.self)
                .map { try JSONColumn.decode(InstanceAction.self, $0) }
        }
    }

    public func actions(_ instance: InstanceID) async throws -> [InstanceAction] {
        try await executor.run { db in
            try await db.select().column("record").from("instance_actions").where("instance_id", .equal, instance.rawValue)
                .orderBy("start_time", .descending).all(decodingColumn: "record", as: String.self)
                .map { try JSONColumn.decode(InstanceAction.self, $0) }
        }
    }

    public func updateAction(_ action: InstanceAction) async throws {
        try await executor.run { db in
            try await db.update("instance_actions").set("record", to: try JSONColumn.encode(action))
                .where("instance_id", .equal, action.instanceId.rawValue).where("request_id", .equal, action.requestId).run()
        }
    }

    public func upsertComputeNode(_ node: ComputeNode) async throws {
        try await executor.run { db in
            let updated = try await db.update(ComputeNodeRow.table)
                .set("hypervisor_type", to: node.hypervisorType).set("hypervisor_version", to: node.hypervisorVersion)
                .set("cpu_architecture", to: node.cpuArchitecture).set("accelerator", to: node.accelerator).set("vcpus", to: node.vcpus).set("memory_mb", to: node.memoryMB)
                .set("disk_gb", to: node.diskGB).set("last_heartbeat", to: Self.later(node.lastHeartbeat))
                .set("updated_at", to: node.updatedAt.rawValue)
                .where("host", .equal, node.host).returning("id").all()
            if updated.isEmpty {
                try await db.insert(into: ComputeNodeRow.table).model(ComputeNodeRow(node), keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
            }
        }
    }

    public func computeNode(host: String) async throws -> ComputeNode? { try await nodes { $0.where("host", .equal, host) }.first }
    public func computeNode(id: ComputeNodeID) async throws -> ComputeNode? { try await nodes { $0.where("id", .equal, id.rawValue) }.first }
    public func computeNodes() async throws -> [ComputeNode] { try await nodes { $0 }.sorted { $0.host < $1.host } }

    /// The nodes `filter` keeps.
    private func nodes(_ filter: @escaping @Sendable (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [ComputeNode] {
        try await executor.run { db in
            try await filter(db.select().column("*").from(ComputeNodeRow.table)).all().map(ComputeNodeRow.node(from:))
        }
    }
    public func updateService(_ node: ComputeNode) async throws {
        try await executor.run { db in
            try await db.update(ComputeNodeRow.table)
                .set("disabled", to: node.disabled).set("disabled_reason", to: node.disabledReason).set("forced_down", to: node.forcedDown)
                .set("updated_at", to: node.updatedAt.rawValue)
                .where("id", .equal, node.id.rawValue).run()
        }
    }

    public func deleteComputeNode(host: String) async throws -> Bool {
        try await executor.run { db in
            !(try await db.delete(from: ComputeNodeRow.table).where("host", .equal, host).returning("id").all()).isEmpty
        }
    }

    public func heartbeat(host: String, at time: Timestamp) async throws {
        try await executor.run { db in
            try await db.update(ComputeNodeRow.table).set("last_heartbeat", to: Self.later(time)).where("host", .equal, host).run()
        }
    }

    /// The later of the recorded heartbeat and `time`: a host's report that was held back by a cut link and delivered
    /// after a newer one never makes the host look down.
    private static func later(_ time: Timestamp) -> SQLQueryString {
        "CASE WHEN last_heartbeat > \(bind: time.rawValue) THEN last_heartbeat ELSE \(bind: time.rawValue) END"
    }

    public func claim(_ claim: ResourceClaim, host: String, instance: InstanceID) async throws -> Bool {
        try await executor.atomically { tx in try await tx.run { db in
            let earlier = try await Self.release(instance: instance, on: db)
            let row = AllocationRow(instanceId: instance, host: host, vcpus: claim.vcpus, memoryMb: claim.memoryMB, diskGb: claim.diskGB)
            if try await Self.take(row, on: db) { return true }
            // It does not fit: the earlier claim is taken back as it was (it fitted, and only its own amounts left).
            if let earlier { _ = try await Self.take(earlier, on: db, checkingCapacity: false) }
            return false
        } }
    }

    public func releaseClaim(instance: InstanceID) async throws -> Bool {
        try await executor.atomically { tx in try await tx.run { db in try await Self.release(instance: instance, on: db) != nil } }
    }

    public func moveClaim(from: InstanceID, to: InstanceID) async throws -> Bool {
        do {
            return try await executor.run { db in
                !(try await db.update("allocations").set("instance_id", to: to.rawValue).where("instance_id", .equal, from.rawValue)
                    .returning("instance_id").all()).isEmpty
            }
        } catch DatabaseError.uniqueViolation {
            return false
        }
    }

    /// Adds the allocation's amounts to its host's usage and records it, if they fit the host's capacity (or without
    /// checking); false, and nothing changed, when they do not fit.
    private static func take(_ row: AllocationRow, on db: any SQLDatabase, checkingCapacity: Bool = true) async throws -> Bool {
        let vcpus = adding("vcpus_used", row.vcpus)
        let memory = adding("memory_mb_used", row.memoryMb)
        let disk = adding("disk_gb_used", row.diskGb)
        var update = db.update(ComputeNodeRow.table)
            .set(SQLIdentifier("vcpus_used"), to: vcpus)
            .set(SQLIdentifier("memory_mb_used"), to: memory)
            .set(SQLIdentifier("disk_gb_used"), to: disk)
            .set(SQLIdentifier("instance_count"), to: adding("instance_count", 1))
            .where("host", .equal, row.host)
        if checkingCapacity {
            // Capacity as placement computes it: (total - reserved) * allocation ratio.
            let memoryTotal = SQLGroupExpression(SQLBinaryExpression(SQLIdentifier("memory_mb"), .subtract, SQLIdentifier("reserved_memory_mb")))
            update = update
                .where(vcpus, .lessThanOrEqual, SQLBinaryExpression(SQLIdentifier("vcpus"), .multiply, SQLIdentifier("cpu_allocation_ratio")))
                .where(memory, .lessThanOrEqual, SQLBinaryExpression(memoryTotal, .multiply, SQLIdentifier("ram_allocation_ratio")))
                .where(disk, .lessThanOrEqual, SQLBinaryExpression(SQLIdentifier("disk_gb"), .multiply, SQLIdentifier("disk_allocation_ratio")))
        }
        guard !(try await update.returning("id").all()).isEmpty else { return false }
        try await db.insert(into: "allocations").model(row, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        return true
    }

    /// Deletes the instance's claim and gives its amounts back to its host; the claim, nil when there was none.
    private static func release(instance: InstanceID, on db: any SQLDatabase) async throws -> AllocationRow? {
        guard let row = try await db.delete(from: "allocations").where("instance_id", .equal, instance.rawValue).returning("*")
            .first(decoding: AllocationRow.self, keyDecodingStrategy: ColumnNames.decoding)
        else { return nil }
        try await db.update(ComputeNodeRow.table)
            .set(SQLIdentifier("vcpus_used"), to: adding("vcpus_used", -row.vcpus))
            .set(SQLIdentifier("memory_mb_used"), to: adding("memory_mb_used", -row.memoryMb))
            .set(SQLIdentifier("disk_gb_used"), to: adding("disk_gb_used", -row.diskGb))
            .set(SQLIdentifier("instance_count"), to: adding("instance_count", -1))
            .where("host", .equal, row.host).run()
        return row
    }

    /// `column + amount`, the amount bound.
    private static func adding(_ column: String, _ amount: Int) -> SQLBinaryExpression {
        SQLBinaryExpression(SQLIdentifier(column), .add, SQLBind(amount))
    }
}

extension SQLComputeRepository {
    private struct GroupRow: Codable {
        var id: ServerGroupID
        var projectId: ProjectID
        var userId: UserID
        var name: String
        var policy: ServerGroup.Policy
        var maxServerPerHost: Int?
        var createdAt: Timestamp

        var group: ServerGroup {
            ServerGroup(id: id, projectId: projectId, userId: userId, name: name, policy: policy, maxServerPerHost: maxServerPerHost, createdAt: createdAt)
        }
    }

    public func createServerGroup(_ group: ServerGroup) async throws {
        let row = GroupRow(
            id: group.id, projectId: group.projectId, userId: group.userId, name: group.name, policy: group.policy,
            maxServerPerHost: group.maxServerPerHost, createdAt: group.createdAt
        )
        try await executor.run { db in
            try await db.insert(into: "server_groups").model(row, keyEncodingStrategy: ColumnNames.encoding, nilEncodingStrategy: .asNil).run()
        }
    }

    public func serverGroup(_ id: ServerGroupID) async throws -> ServerGroup? {
        try await executor.run { db in
            try await db.select().column("*").from("server_groups").where("id", .equal, id.rawValue)
                .first(decoding: GroupRow.self, keyDecodingStrategy: ColumnNames.decoding)?.group
        }
    }

    public func serverGroups(project: ProjectID?) async throws -> [ServerGroup] {
        try await executor.run { db in
            let query = db.select().column("*").from("server_groups")
            if let project { query.where("project_id", .equal, project.rawValue) }
            return try await query.orderBy("created_at").orderBy("id")
                .all(decoding: GroupRow.self, keyDecodingStrategy: ColumnNames.decoding).map(\.group)
        }
    }

    public func deleteServerGroup(_ id: ServerGroupID) async throws -> Bool {
        try await executor.run { db in
            !(try await db.delete(from: "server_groups").where("id", .equal, id.rawValue).returning("id").all()).isEmpty
        }
    }

    public func addMember(_ instance: InstanceID, to group: ServerGroupID) async throws {
        try await executor.run { db in
            try await db.insert(into: "server_group_members").columns("group_id", "instance_id")
                .values(SQLBind(group.rawValue), SQLBind(instance.rawValue)).run()
        }
    }

    public func members(of group: ServerGroupID) async throws -> [InstanceID] {
        try await executor.run { db in
            try await db.select().column("instance_id").from("server_group_members").where("group_id", .equal, group.rawValue)
                .orderBy("instance_id").all(decodingColumn: "instance_id", as: InstanceID.self)
        }
    }

    public func removeMember(_ instance: InstanceID) async throws {
        try await executor.run { db in
            try await db.delete(from: "server_group_members").where("instance_id", .equal, instance.rawValue).run()
        }
    }

    public func quotaLimits(scope: String) async throws -> [String: Int] {
        struct Row: Codable { var resource: String; var hardLimit: Int }
        return try await executor.run { db in
            let rows = try await db.select().column("resource").column("hard_limit").from("quotas").where("scope", .equal, scope)
                .all(decoding: Row.self, keyDecodingStrategy: ColumnNames.decoding)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.resource, $0.hardLimit) })
        }
    }

    public func setQuotaLimit(scope: String, resource: String, limit: Int) async throws {
        try await executor.run { db in
            let updated = try await db.update("quotas").set("hard_limit", to: limit).where("scope", .equal, scope)
                .where("resource", .equal, resource).returning("resource").all()
            if updated.isEmpty {
                try await db.insert(into: "quotas").columns("scope", "resource", "hard_limit")
                    .values(SQLBind(scope), SQLBind(resource), SQLBind(limit)).run()
            }
        }
    }

    public func deleteQuotaLimits(scope: String) async throws {
        try await executor.run { db in try await db.delete(from: "quotas").where("scope", .equal, scope).run() }
    }
}

extension SQLExecutor {
    /// The compute repository on this executor (the backend, or a transaction).
    public var compute: any ComputeRepository { SQLComputeRepository(self) }
}
