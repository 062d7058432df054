import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/os-quota-sets/{project_id}` (show, `?usage=true`, defaults, admin update) and `/limits`.
struct QuotaController: Sendable {
    let api: VolumeAPI
    var service: VolumeService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-quota-sets/{project}", use: show)
        group.get("os-quota-sets/{project}/defaults", use: defaults)
        group.put("os-quota-sets/{project}", use: update)
        group.get("limits", use: limits)
    }

    func project(_ context: StratusRequestContext) throws -> ProjectID { ProjectID(try context.parameters.require("project")) }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let project = try project(context)
        let (limits, usage) = try await service.quotas(project: project, auth: try context.requireAuth())
        let detailed = ["true", "1", "yes"].contains(request.uri.queryParameters.get("usage")?.lowercased() ?? "")
        var set: [String: JSONValue] = ["id": .string(project.rawValue)]
        for (resource, limit) in limits {
            set[resource] = detailed
                ? .object(["limit": VolumeViews.int(limit), "in_use": VolumeViews.int(usage[resource] ?? 0), "reserved": VolumeViews.int(0)])
                : VolumeViews.int(limit)
        }
        return try VolumeAPI.respond("quota_set", set)
    }

    @Sendable func defaults(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeService.requireReader(try context.requireAuth(), rule: "volume_extension:quotas:show")
        var set = VolumeQuotas.defaults.mapValues(VolumeViews.int)
        set["id"] = .string(try project(context).rawValue)
        return try VolumeAPI.respond("quota_set", set)
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let body = try await RequestBody.read(request, "quota_set", context: context)
        var limits: [String: Int] = [:]
        for key in body.fields.keys where key != "tenant_id" && key != "id" {
            guard let limit = try body.int(key) else { continue }
            limits[key] = limit
        }
        let updated = try await service.updateQuotas(project: try project(context), limits, auth: try context.requireAuth())
        return try VolumeAPI.respond("quota_set", updated.mapValues(VolumeViews.int))
    }

    @Sendable func limits(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let (limits, usage) = try await service.quotas(project: try VolumeService.project(of: auth), auth: auth)
        let absolute: [String: Int] = [
            "maxTotalVolumes": limits["volumes"] ?? -1, "maxTotalSnapshots": limits["snapshots"] ?? -1,
            "maxTotalVolumeGigabytes": limits["gigabytes"] ?? -1, "maxTotalBackups": limits["backups"] ?? -1,
            "maxTotalBackupGigabytes": limits["backup_gigabytes"] ?? -1, "totalVolumesUsed": usage["volumes"] ?? 0,
            "totalGigabytesUsed": usage["gigabytes"] ?? 0, "totalSnapshotsUsed": usage["snapshots"] ?? 0, "totalBackupsUsed": 0,
            "totalBackupGigabytesUsed": 0,
        ]
        return try VolumeAPI.respond("limits", ["rate": .array([]), "absolute": .object(absolute.mapValues(VolumeViews.int))])
    }
}
