import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `os-server-groups`: groups whose members the scheduler keeps together or apart.
struct ServerGroupController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-server-groups", use: list)
        group.post("os-server-groups", use: create)
        group.get("os-server-groups/{id}", use: show)
        group.delete("os-server-groups/{id}", use: delete)
    }

    func view(_ group: ServerGroup, version: APIVersion) async throws -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": .string(group.id.rawValue), "name": .string(group.name),
            "members": .array(try await api.repository.members(of: group.id).map { .string($0.rawValue) }),
        ]
        if version >= APIVersion(2, 13) {
            fields["project_id"] = .string(group.projectId.rawValue)
            fields["user_id"] = .string(group.userId.rawValue)
        }
        if version >= APIVersion(2, 64) {
            fields["policy"] = .string(group.policy.rawValue)
            fields["rules"] = .object(group.maxServerPerHost.map { ["max_server_per_host": .number(Double($0))] } ?? [:])
        } else {
            fields["policies"] = .array([.string(group.policy.rawValue)])
            fields["metadata"] = .object([:])
        }
        return .object(fields)
    }

    /// The group if the caller may see it (its project's, or any for admin); 404 otherwise.
    static func visibleGroup(_ id: String, auth: AuthContext, api: ComputeAPI) async throws -> ServerGroup {
        guard let group = try await api.repository.serverGroup(ServerGroupID(id.lowercased())), auth.isAdmin || group.projectId == auth.projectId else {
            throw ComputeFault.notFound("Instance group \(id.prefix(64)) could not be found.")
        }
        return group
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let all = request.uri.queryParameters["all_projects"].map { ["true", "1", "yes"].contains(String($0).lowercased()) } == true
        if all { try auth.requireAdmin("os_compute_api:os-server-groups:index:all_projects") }
        let groups = try await api.repository.serverGroups(project: all ? nil : try auth.computeProject())
        var views: [JSONValue] = []
        for group in groups { views.append(try await view(group, version: context.apiVersion)) }
        return try JSONResponse.make(JSONValue.object(["server_groups": .array(views)]))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let project = try auth.computeProject()
        try auth.requireWriter("os_compute_api:os-server-groups:create")
        var request = request
        var body = try BodyReader(try await request.jsonObject(context: context), key: "server_group")
        guard let name = try body.string("name") else { throw StratusError.badRequest("Invalid input for field/attribute server_group. 'name' is a required property") }
        let policyName: String?
        var maxPerHost: Int?
        if context.apiVersion >= APIVersion(2, 64) {
            policyName = try body.string("policy")
            if case .object(let rules)? = body.raw("rules") {
                var reader = BodyReader(rules, path: "rules")
                maxPerHost = try reader.int("max_server_per_host", in: 1...Int(Int32.max))
                try reader.finish()
            }
        } else {
            guard case .array(let policies)? = body.raw("policies"), policies.count == 1, case .string(let policy) = policies[0] else {
                throw StratusError.badRequest("Invalid input for field/attribute policies. Exactly one policy is required")
            }
            policyName = policy
        }
        try body.finish()
        guard let policyName, let policy = ServerGroup.Policy(rawValue: policyName) else {
            throw StratusError.badRequest("Invalid input for field/attribute policy. Value: \(policyName ?? "None"). It must be one of \(ServerGroup.Policy.allCases.map(\.rawValue))")
        }
        if maxPerHost != nil, policy != .antiAffinity {
            throw StratusError.badRequest("Only anti-affinity policy supports the max_server_per_host rule.")
        }
        let quotas = Quotas(repository: api.repository)
        try Quotas.check(.serverGroups, requested: 1, used: try await api.repository.serverGroups(project: project).count,
                         limit: try await quotas.limits(project)[.serverGroups]!)
        let group = ServerGroup(
            id: ServerGroupID(UUID().uuidString.lowercased()), projectId: project, userId: auth.userId, name: name, policy: policy,
            maxServerPerHost: maxPerHost, createdAt: api.now
        )
        try await api.repository.createServerGroup(group)
        return try JSONResponse.make(JSONValue.object(["server_group": try await view(group, version: context.apiVersion)]))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let group = try await Self.visibleGroup(try context.parameters.require("id"), auth: try context.requireAuth(), api: api)
        return try JSONResponse.make(JSONValue.object(["server_group": try await view(group, version: context.apiVersion)]))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireWriter("os_compute_api:os-server-groups:delete")
        let group = try await Self.visibleGroup(try context.parameters.require("id"), auth: auth, api: api)
        _ = try await api.repository.deleteServerGroup(group.id)
        return JSONResponse.empty()
    }
}
