import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `os-aggregates` (admin only): host aggregates, their hosts and metadata. An aggregate's `availability_zone`
/// metadata is its hosts' zone; the repository rewrites the hosts' recorded zone in the same transaction.
struct AggregateController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-aggregates", use: list)
        group.post("os-aggregates", use: create)
        group.get("os-aggregates/{id}", use: show)
        group.put("os-aggregates/{id}", use: update)
        group.delete("os-aggregates/{id}", use: delete)
        group.post("os-aggregates/{id}/action", use: action)
    }

    /// Nova's view; a new aggregate is shown without `hosts` and `metadata`, as Nova does.
    func view(_ aggregate: Aggregate, version: APIVersion, created: Bool = false) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .number(Double(aggregate.id)), "name": .string(aggregate.name),
            "availability_zone": aggregate.availabilityZone.map(JSONValue.string) ?? .null,
            "created_at": ServerView.usageTime(aggregate.createdAt), "updated_at": ServerView.usageTime(aggregate.updatedAt),
            "deleted": .bool(false), "deleted_at": .null,
        ]
        if !created {
            fields["hosts"] = .array(aggregate.hosts.map(JSONValue.string))
            fields["metadata"] = .object(aggregate.metadata.mapValues(JSONValue.string))
        }
        if version >= APIVersion(2, 41) { fields["uuid"] = .string(aggregate.uuid) }
        return .object(fields)
    }

    private func reply(_ aggregate: Aggregate, _ context: StratusRequestContext, created: Bool = false) throws -> Response {
        try JSONResponse.make(JSONValue.object(["aggregate": view(aggregate, version: context.apiVersion, created: created)]))
    }

    /// The path's aggregate id after the policy check: 400 unless an integer.
    private func aggregateId(_ context: StratusRequestContext, policy: String) throws -> Int {
        try context.requireAuth().requireAdmin("os_compute_api:os-aggregates:\(policy)")
        let text = try context.parameters.require("id")
        guard let id = Int(text) else { throw StratusError.badRequest("Invalid input received: id must be an integer") }
        return id
    }

    private static func notFound(_ id: Int) -> OpenStackFault { ComputeFault.notFound("Aggregate \(id) could not be found.") }

    private static func load(_ id: Int, _ tx: any SQLExecutor) async throws -> Aggregate {
        guard let aggregate = try await tx.aggregates.aggregate(id: id) else { throw notFound(id) }
        return aggregate
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-aggregates:index")
        let aggregates = try await api.backend.aggregates.aggregates()
        return try JSONResponse.make(JSONValue.object(["aggregates": .array(aggregates.map { view($0, version: context.apiVersion) })]))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = try aggregateId(context, policy: "show")
        return try reply(try await Self.load(id, api.backend), context)
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-aggregates:create")
        var request = request
        var body = try BodyReader(try await request.jsonObject(context: context), key: "aggregate")
        guard let name = try Self.name(&body) else {
            throw StratusError.badRequest("Invalid input for field/attribute aggregate. 'name' is a required property")
        }
        let zone = try Self.zone(&body)
        try body.finish()
        let aggregate = Aggregate(
            id: 0, uuid: UUID().uuidString.lowercased(), name: name, metadata: zone.map { [Aggregate.zoneKey: $0] } ?? [:], createdAt: api.now
        )
        return try reply(try await api.backend.aggregates.createAggregate(aggregate), context, created: true)
    }

    /// Renames the aggregate or moves it (and its hosts) to another zone.
    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = try aggregateId(context, policy: "update")
        var request = request
        let object = try await request.jsonObject(context: context)
        var body = try BodyReader(object, key: "aggregate")
        let name = try Self.name(&body)
        let zone = try Self.zone(&body)
        try body.finish()
        guard name != nil || zone != nil else {
            throw StratusError.badRequest("Invalid input for field/attribute aggregate. Value: {}. {} does not have enough properties")
        }
        let now = api.now
        let updated = try await api.backend.transaction { tx in
            var aggregate = try await Self.load(id, tx)
            if let name { aggregate.name = name }
            if let zone {
                try await Self.checkZone(zone, of: aggregate, hosts: aggregate.hosts, checkInstances: true, tx) {
                    .badRequest("Cannot update aggregate \(id). Reason: \($0).")
                }
                aggregate.metadata[Aggregate.zoneKey] = zone
            }
            aggregate.updatedAt = now
            try await tx.aggregates.saveAggregate(aggregate)
            return aggregate
        }
        return try reply(updated, context)
    }

    /// Deletes an aggregate without hosts (Nova: 400 while it has some).
    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let id = try aggregateId(context, policy: "delete")
        try await api.backend.transaction { tx in
            let aggregate = try await Self.load(id, tx)
            guard aggregate.hosts.isEmpty else {
                throw StratusError.badRequest("Cannot delete aggregate \(id). Reason: Host aggregate is not empty.")
            }
            _ = try await tx.aggregates.deleteAggregate(id: id)
        }
        return JSONResponse.empty(status: .ok)
    }

    /// `add_host`, `remove_host` or `set_metadata`.
    @Sendable func action(_ request: Request, context: StratusRequestContext) async throws -> Response {
        _ = try context.requireAuth()
        var request = request
        let object = try await request.jsonObject(context: context)
        guard object.count == 1, let (name, argument) = object.first else {
            throw StratusError.badRequest("Malformed request body: exactly one action is expected.")
        }
        guard ["add_host", "remove_host", "set_metadata"].contains(name) else {
            throw StratusError.badRequest("There is no such action: \(name.prefix(64))")
        }
        let id = try aggregateId(context, policy: name)
        guard case .object(let fields) = argument else {
            throw BodyReader.invalid(name, argument, "\(argument.shownInMessage) is not of type 'object'")
        }
        var body = BodyReader(fields, path: name)
        let updated: Aggregate
        if name == "set_metadata" {
            let metadata = try Self.metadata(&body)
            try body.finish()
            updated = try await setMetadata(metadata, on: id)
        } else {
            guard let host = try body.string("host") else {
                throw StratusError.badRequest("Invalid input for field/attribute \(name). Value: {}. 'host' is a required property")
            }
            try body.finish()
            updated = name == "add_host" ? try await add(host, to: id) : try await remove(host, from: id)
        }
        return try reply(updated, context)
    }

    private func add(_ host: String, to id: Int) async throws -> Aggregate {
        try await api.backend.transaction { tx in
            var aggregate = try await Self.load(id, tx)
            guard try await tx.compute.computeNode(host: host) != nil else {
                throw ComputeFault.notFound("Compute host \(host.prefix(255)) could not be found.")
            }
            guard !aggregate.hosts.contains(host) else { throw StratusError.conflict("Aggregate \(id) already has host \(host).") }
            if let zone = aggregate.availabilityZone {
                try await Self.checkZone(zone, of: aggregate, hosts: [host], checkInstances: false, tx) {
                    .conflict("Cannot add host to aggregate \(id). Reason: \($0).")
                }
            }
            aggregate.hosts = (aggregate.hosts + [host]).sorted()
            try await tx.aggregates.saveAggregate(aggregate)
            return aggregate
        }
    }

    private func remove(_ host: String, from id: Int) async throws -> Aggregate {
        try await api.backend.transaction { tx in
            var aggregate = try await Self.load(id, tx)
            guard try await tx.compute.computeNode(host: host) != nil else {
                throw ComputeFault.notFound("Compute host \(host.prefix(255)) could not be found.")
            }
            guard aggregate.hosts.contains(host) else { throw ComputeFault.notFound("Aggregate \(id) has no host \(host).") }
            aggregate.hosts.removeAll { $0 == host }
            try await tx.aggregates.saveAggregate(aggregate)
            return aggregate
        }
    }

    /// Sets keys (a null value removes one); `availability_zone` moves the aggregate's hosts to that zone.
    private func setMetadata(_ metadata: [String: String?], on id: Int) async throws -> Aggregate {
        let now = api.now
        return try await api.backend.transaction { tx in
            var aggregate = try await Self.load(id, tx)
            if let zone = metadata[Aggregate.zoneKey] {
                guard let zone, !zone.isEmpty else {
                    throw StratusError.badRequest(
                        "Cannot update metadata of aggregate \(id). Reason: Aggregate \(aggregate.name) does not support empty named availability zone."
                    )
                }
                try await Self.checkZone(zone, of: aggregate, hosts: aggregate.hosts, checkInstances: true, tx) {
                    .badRequest("Cannot update metadata of aggregate \(id). Reason: \($0).")
                }
            }
            for (key, value) in metadata { aggregate.metadata[key] = value }
            aggregate.updatedAt = now
            try await tx.aggregates.saveAggregate(aggregate)
            return aggregate
        }
    }

    /// Nova's `is_safe_to_update_az`: none of `hosts` may be in another aggregate with a different zone, and (when
    /// `checkInstances`) a zone change must not move instances.
    private static func checkZone(
        _ zone: String, of aggregate: Aggregate, hosts: [String], checkInstances: Bool, _ tx: any SQLExecutor,
        refusal: @Sendable (String) -> StratusError
    ) async throws {
        let conflicting = try await tx.aggregates.aggregates().filter { other in
            other.id != aggregate.id && other.availabilityZone.map { $0 != zone } == true && other.hosts.contains { hosts.contains($0) }
        }.compactMap(\.availabilityZone)
        guard conflicting.isEmpty else {
            throw refusal("One or more hosts already in availability zone(s) [\(conflicting.map { "'\($0)'" }.joined(separator: ", "))]")
        }
        guard checkInstances, aggregate.availabilityZone != zone else { return }
        for host in hosts {
            guard try await tx.compute.instances(host: host).isEmpty else { throw refusal("One or more hosts contain instances in this zone") }
        }
    }

    /// Nova's `name`: 1-255 characters without leading or trailing whitespace.
    private static func name(_ body: inout BodyReader) throws -> String? {
        guard let name = try body.string("name") else { return nil }
        guard name.trimmingCharacters(in: .whitespacesAndNewlines) == name else {
            throw BodyReader.invalid("name", .string(name), "'\(name.prefix(64))' has leading or trailing whitespace")
        }
        return name
    }

    /// An availability zone name: 1-255 characters, no colon (Nova reserves it for `zone:host`).
    private static func zone(_ body: inout BodyReader) throws -> String? {
        guard let zone = try body.string("availability_zone") else { return nil }
        guard !zone.contains(":") else {
            throw BodyReader.invalid("availability_zone", .string(zone), "'\(zone.prefix(64))' must not contain ':'")
        }
        return zone
    }

    /// `metadata`: keys of 1-255 characters, values strings of up to 255 characters or null.
    private static func metadata(_ body: inout BodyReader) throws -> [String: String?] {
        guard let value = body.raw("metadata") else {
            throw StratusError.badRequest("Invalid input for field/attribute set_metadata. Value: {}. 'metadata' is a required property")
        }
        guard case .object(let fields) = value else { throw BodyReader.invalid("metadata", value, "\(value.shownInMessage) is not of type 'object'") }
        var result: [String: String?] = [:]
        for (key, field) in fields {
            guard !key.isEmpty, key.count <= 255 else { throw BodyReader.invalid("metadata", value, "'\(key.prefix(64))' is not a valid key") }
            switch field {
            case .null: result[key] = .some(nil)
            case .string(let text) where text.count <= 255: result[key] = text
            default: throw BodyReader.invalid("metadata/\(key.prefix(64))", field, "\(field.shownInMessage) is not of type 'string', 'null' or is too long")
            }
        }
        return result
    }
}
