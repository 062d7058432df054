import Database
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `os-quota-sets`, `os-quota-class-sets` and `limits`: Nova's compute quotas, set by admin, enforced at boot.
struct QuotaController: Sendable {
    let api: ComputeAPI
    var quotas: Quotas { Quotas(repository: api.repository) }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-quota-sets/{project_id}", use: show)
        group.get("os-quota-sets/{project_id}/defaults", use: defaults)
        group.get("os-quota-sets/{project_id}/detail", use: detail)
        group.put("os-quota-sets/{project_id}", use: update)
        group.delete("os-quota-sets/{project_id}", use: reset)
        group.get("os-quota-class-sets/{class}", use: showClass)
        group.put("os-quota-class-sets/{class}", use: updateClass)
        group.get("limits", use: limits)
    }

    /// The legacy resources Nova still shows (unlimited or fixed here) before they were removed in 2.36 and 2.57.
    func legacy(_ version: APIVersion) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if version < APIVersion(2, 57) {
            fields["injected_files"] = .number(5)
            fields["injected_file_content_bytes"] = .number(10240)
            fields["injected_file_path_bytes"] = .number(255)
        }
        if version < APIVersion(2, 36) {
            for name in ["fixed_ips", "floating_ips", "security_group_rules", "security_groups"] { fields[name] = .number(-1) }
        }
        return fields
    }

    func view(_ id: String, _ limits: [QuotaResource: Int], version: APIVersion) -> JSONValue {
        var fields = legacy(version)
        fields["id"] = .string(id)
        for (resource, limit) in limits { fields[resource.rawValue] = .number(Double(limit)) }
        return .object(fields)
    }

    /// The project asked for, if the caller may read its quotas (its own, or any for admin).
    func project(_ context: StratusRequestContext) throws -> ProjectID {
        let auth = try context.requireAuth()
        let project = ProjectID(try context.parameters.require("project_id"))
        guard auth.isAdmin || project == auth.projectId else { throw ComputeFault.policy("os_compute_api:os-quota-sets:show") }
        return project
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let project = try project(context)
        return try JSONResponse.make(JSONValue.object(["quota_set": view(project.rawValue, try await quotas.limits(project), version: context.apiVersion)]))
    }

    @Sendable func defaults(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let project = try project(context)
        return try JSONResponse.make(JSONValue.object(["quota_set": view(project.rawValue, try await quotas.classLimits(), version: context.apiVersion)]))
    }

    @Sendable func detail(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let project = try project(context)
        let auth = try context.requireAuth()
        let limits = try await quotas.limits(project)
        let usage = try await quotas.usage(project, user: auth.userId)
        var fields: [String: JSONValue] = ["id": .string(project.rawValue)]
        for resource in QuotaResource.allCases {
            fields[resource.rawValue] = .object([
                "limit": .number(Double(limits[resource]!)), "in_use": .number(Double(usage[resource]!)), "reserved": .number(0),
            ])
        }
        return try JSONResponse.make(JSONValue.object(["quota_set": .object(fields)]))
    }

    /// The new limits in `body["quota_set"]`: each a known resource, an integer of -1 or more.
    func readLimits(_ request: inout Request, context: StratusRequestContext, key: String) async throws -> [QuotaResource: Int] {
        var body = try BodyReader(try await request.jsonObject(context: context), key: key)
        var limits: [QuotaResource: Int] = [:]
        for resource in QuotaResource.allCases {
            if let value = try body.int(resource.rawValue, in: -1...Int(Int32.max)) { limits[resource] = value }
        }
        _ = body.raw("force")
        for name in legacy(context.apiVersion).keys { _ = body.raw(name) }
        try body.finish()
        return limits
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-quota-sets:update")
        let project = ProjectID(try context.parameters.require("project_id"))
        var request = request
        for (resource, limit) in try await readLimits(&request, context: context, key: "quota_set") {
            try await api.repository.setQuotaLimit(scope: Quotas.projectScope(project), resource: resource.rawValue, limit: limit)
        }
        var shown = view(project.rawValue, try await quotas.limits(project), version: context.apiVersion)
        if case .object(var fields) = shown { fields.removeValue(forKey: "id"); shown = .object(fields) }
        return try JSONResponse.make(JSONValue.object(["quota_set": shown]))
    }

    @Sendable func reset(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-quota-sets:delete")
        try await api.repository.deleteQuotaLimits(scope: Quotas.projectScope(ProjectID(try context.parameters.require("project_id"))))
        return JSONResponse.empty(status: .accepted)
    }

    @Sendable func showClass(_ request: Request, context: StratusRequestContext) async throws -> Response {
        _ = try context.requireAuth()
        let name = try context.parameters.require("class")
        return try JSONResponse.make(JSONValue.object(["quota_class_set": view(name, try await quotas.classLimits(name), version: context.apiVersion)]))
    }

    @Sendable func updateClass(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-quota-class-sets:update")
        let name = try context.parameters.require("class")
        var request = request
        for (resource, limit) in try await readLimits(&request, context: context, key: "quota_class_set") {
            try await api.repository.setQuotaLimit(scope: Quotas.classScope(name), resource: resource.rawValue, limit: limit)
        }
        var shown = view(name, try await quotas.classLimits(name), version: context.apiVersion)
        if case .object(var fields) = shown { fields.removeValue(forKey: "id"); shown = .object(fields) }
        return try JSONResponse.make(JSONValue.object(["quota_class_set": shown]))
    }

    @Sendable func limits(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let project = try auth.computeProject()
        let limits = try await quotas.limits(project)
        let usage = try await quotas.usage(project, user: auth.userId)
        var absolute: [String: JSONValue] = [
            "maxTotalInstances": .number(Double(limits[.instances]!)), "maxTotalCores": .number(Double(limits[.cores]!)),
            "maxTotalRAMSize": .number(Double(limits[.ram]!)), "maxServerMeta": .number(Double(limits[.metadataItems]!)),
            "maxTotalKeypairs": .number(Double(limits[.keyPairs]!)), "maxServerGroups": .number(Double(limits[.serverGroups]!)),
            "maxServerGroupMembers": .number(Double(limits[.serverGroupMembers]!)),
            "totalInstancesUsed": .number(Double(usage[.instances]!)), "totalCoresUsed": .number(Double(usage[.cores]!)),
            "totalRAMUsed": .number(Double(usage[.ram]!)), "totalServerGroupsUsed": .number(Double(usage[.serverGroups]!)),
        ]
        // What older microversions still show, as Nova's: the network limits (unlimited here: they are Neutron's) before
        // 2.36, the image metadata limit before 2.39, the file injection limits before 2.57.
        let version = context.apiVersion
        if version < APIVersion(2, 36) {
            for key in ["maxSecurityGroups", "maxSecurityGroupRules", "maxTotalFloatingIps"] { absolute[key] = .number(-1) }
            for key in ["totalSecurityGroupsUsed", "totalFloatingIpsUsed"] { absolute[key] = .number(0) }
        }
        if version < APIVersion(2, 39) { absolute["maxImageMeta"] = .number(Double(limits[.metadataItems]!)) }
        if version < APIVersion(2, 57) {
            absolute["maxPersonality"] = .number(5)
            absolute["maxPersonalitySize"] = .number(10240)
        }
        return try JSONResponse.make(JSONValue.object(["limits": .object(["rate": .array([]), "absolute": .object(absolute)])]))
    }
}
