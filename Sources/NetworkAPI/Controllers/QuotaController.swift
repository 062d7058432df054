import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2.0/quotas/{project_id}` (with `/details`, also as `/details.json`, and `/default`): Neutron's quotas, read only. This network
/// service enforces no quotas, so every limit is -1 (unlimited), which is what Neutron reports for a resource without
/// one; the details count what the project has. A member reads its own project's, an admin any project's.
struct QuotaController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    /// The resources this service has, by Neutron's quota names.
    static let resources = ["network", "subnet", "port", "security_group", "security_group_rule"]

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("quotas/{project_id}", use: show)
        group.get("quotas/{project_id}/default", use: show)
        group.get("quotas/{project_id}/details", use: details)
        group.get("quotas/{project_id}/details.json", use: details)
    }

    func project(_ context: StratusRequestContext) throws -> ProjectID {
        let project = ProjectID(try context.parameters.require("project_id"))
        guard NetworkService.owns(project, try context.requireAuth()) else { throw NeutronError.policy("get_quota") }
        return project
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        _ = try project(context)
        let limits = Dictionary(uniqueKeysWithValues: Self.resources.map { ($0, JSONValue.number(-1)) })
        return try JSONResponse.make(JSONValue.object(["quota": .object(limits)]))
    }

    @Sendable func details(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let project = try project(context)
        let auth = try context.requireAuth()
        let used: [String: Int] = [
            "network": try await service.networks(auth: auth).filter { $0.projectId == project }.count,
            "subnet": try await service.subnets(auth: auth).filter { $0.projectId == project }.count,
            "port": try await service.ports(auth: auth).filter { $0.projectId == project }.count,
            "security_group": try await service.securityGroups(auth: auth).filter { $0.projectId == project }.count,
            "security_group_rule": try await service.rules(auth: auth).filter { $0.projectId == project }.count,
        ]
        let quota = used.mapValues { count in
            JSONValue.object(["limit": .number(-1), "used": .number(Double(count)), "reserved": .number(0)])
        }
        return try JSONResponse.make(JSONValue.object(["quota": .object(quota)]))
    }
}
