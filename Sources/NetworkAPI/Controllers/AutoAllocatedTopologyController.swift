import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2.0/auto-allocated-topology/{project_id}`: Neutron's "get me a network". `GET` makes the project's network on
/// first use and returns it; `?fields=dry-run` only checks that it could; `DELETE` removes it.
struct AutoAllocatedTopologyController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("auto-allocated-topology/{project_id}", use: show)
        group.delete("auto-allocated-topology/{project_id}", use: delete)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let project = ProjectID(try context.parameters.require("project_id"))
        if request.uri.queryParameters.getAll("fields").contains("dry-run") {
            guard NetworkService.owns(project, auth) else { throw NeutronError.projectNotFound(project.rawValue) }
            return try Self.reply(id: "dry-run=pass", project: project)
        }
        let topology = try await service.autoAllocatedTopology(project: project, auth: auth)
        return try Self.reply(id: topology.networkId.rawValue, project: project)
    }

    static func reply(id: String, project: ProjectID) throws -> Response {
        try JSONResponse.make(JSONValue.object(["auto_allocated_topology": .object([
            "id": .string(id), "project_id": .string(project.rawValue), "tenant_id": .string(project.rawValue),
        ])]))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let project = ProjectID(try context.parameters.require("project_id"))
        try await service.deleteAutoAllocatedTopology(project: project, auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}
