import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `os-migrations` (admin): the migration records of every instance, with Nova's fields and filters per
/// microversion; and `servers/{id}/migrations` (2.23+), the instance's live migrations in progress.
struct MigrationController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-migrations", use: list)
        group.get("servers/{id}/migrations", use: serverMigrations)
    }

    /// Query parameters Nova's schema knows from 2.59, when it starts refusing others.
    private static let knownParameters: Set<String> = [
        "hidden", "host", "instance_uuid", "source_compute", "status", "migration_type", "limit", "marker", "changes-since",
        "changes-before", "user_id", "project_id",
    ]

    func view(_ migration: InstanceMigration, version: APIVersion) -> JSONValue {
        /// Nova shows its flavors' integer ids; ours are usually numeric strings.
        func flavorId(_ id: FlavorID) -> JSONValue { Int(id.rawValue).map { .number(Double($0)) } ?? .string(id.rawValue) }
        var fields: [String: JSONValue] = [
            "id": .number(Double(migration.id)), "instance_uuid": .string(migration.instanceId.rawValue), "status": .string(migration.status.rawValue),
            "source_compute": .string(migration.sourceCompute), "source_node": .string(migration.sourceCompute),
            "dest_compute": .string(migration.destCompute), "dest_node": .string(migration.destCompute), "dest_host": .null,
            "old_instance_type_id": flavorId(migration.oldFlavorId), "new_instance_type_id": flavorId(migration.newFlavorId),
            "created_at": ServerView.usageTime(migration.createdAt), "updated_at": ServerView.usageTime(migration.updatedAt),
        ]
        if version >= APIVersion(2, 23) { fields["migration_type"] = .string(migration.migrationType) }
        if version >= APIVersion(2, 59) { fields["uuid"] = .string(migration.uuid) }
        if version >= APIVersion(2, 80) {
            fields["user_id"] = .string(migration.userId.rawValue)
            fields["project_id"] = .string(migration.projectId.rawValue)
        }
        return .object(fields)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-migrations:index")
        let version = context.apiVersion
        let query = request.uri.queryParameters
        func value(_ name: String, since minimum: APIVersion = APIVersion(2, 1)) -> String? {
            version >= minimum ? query[Substring(name)].map(String.init) : nil
        }
        if version >= APIVersion(2, 59), let unknown = query.map({ String($0.key) }).first(where: { !Self.knownParameters.contains($0) }) {
            throw StratusError.badRequest(
                "Invalid input for query parameters \(unknown.prefix(64)). Additional properties are not allowed ('\(unknown.prefix(64))' was unexpected)"
            )
        }
        var filter = MigrationFilter()
        filter.instanceId = value("instance_uuid").map { InstanceID($0.lowercased()) }
        filter.status = value("status")
        filter.host = value("host")
        filter.sourceCompute = value("source_compute")
        filter.migrationType = value("migration_type")
        filter.userId = value("user_id", since: APIVersion(2, 80)).map { UserID($0) }
        filter.projectId = value("project_id", since: APIVersion(2, 80)).map { ProjectID($0) }
        filter.changedSince = try value("changes-since", since: APIVersion(2, 59)).map { try Self.time($0, "changes-since") }
        filter.changedBefore = try value("changes-before", since: APIVersion(2, 66)).map { try Self.time($0, "changes-before") }
        if let since = filter.changedSince, let before = filter.changedBefore, since > before {
            throw StratusError.badRequest("The value of changes-since must be less than or equal to changes-before.")
        }
        var migrations = try await api.backend.migrations.migrations(filter)
        var body: [String: JSONValue] = [:]
        if version >= APIVersion(2, 59) {
            let page = try Pagination(query: query, ids: migrations.map(\.uuid))
            migrations = Array(migrations[page.range])
            if let next = page.nextMarker {
                body["migrations_links"] = Pagination.nextLink(api.baseURL + "/v2.1/os-migrations", query: query, marker: next)
            }
        }
        body["migrations"] = .array(migrations.map { view($0, version: version) })
        return try JSONResponse.make(JSONValue.object(body))
    }

    private static func time(_ text: String, _ name: String) throws -> Timestamp {
        guard let time = Timestamp(iso8601: text) ?? Timestamp(iso8601: text + "Z") else {
            throw StratusError.badRequest("Invalid input for query parameters \(name). Value: \(text.prefix(64)). '\(text.prefix(64))' is not a 'date-time'")
        }
        return time
    }

    /// Nova lists only live migrations in progress here; Stratus moves instances only by (same-host) resize, so an
    /// instance never has one and the list is empty.
    @Sendable func serverMigrations(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        guard context.apiVersion >= APIVersion(2, 23) else { throw ComputeFault.notFound("The resource could not be found.") }
        try auth.requireAdmin("os_compute_api:servers:migrations:index")
        _ = try await ServerController.visibleInstance(try context.parameters.require("id"), auth: auth, api: api)
        return try JSONResponse.make(JSONValue.object(["migrations": .array([])]))
    }
}
