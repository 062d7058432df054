import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/servers/{id}/os-instance-actions`: what was done to a server, and each action's events.
struct InstanceActionController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("servers/{id}/os-instance-actions", use: list)
        group.get("servers/{id}/os-instance-actions/{request_id}", use: show)
    }

    func view(_ action: InstanceAction, version: APIVersion) -> [String: JSONValue] {
        var view: [String: JSONValue] = [
            "action": .string(action.action), "instance_uuid": .string(action.instanceId.rawValue),
            "message": action.message.map(JSONValue.string) ?? .null, "project_id": .string(action.projectId.rawValue),
            "request_id": .string(action.requestId), "start_time": .string(action.startTime.iso8601Microseconds),
            "user_id": .string(action.userId.rawValue),
        ]
        if version >= APIVersion(2, 58) { view["updated_at"] = .string(action.updatedAt.iso8601Microseconds) }
        return view
    }

    /// Actions stay visible after the server is deleted, to its project and admin.
    func instance(_ id: String, auth: AuthContext) async throws -> Instance {
        guard let instance = try await api.repository.instance(InstanceID(id.lowercased())), auth.isAdmin || instance.projectId == auth.projectId else {
            throw ComputeFault.instanceNotFound(id)
        }
        return instance
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let instance = try await instance(try context.parameters.require("id"), auth: try context.requireAuth())
        let actions = try await api.repository.actions(instance.id)
        return try JSONResponse.make(JSONValue.object(["instanceActions": .array(actions.map { .object(view($0, version: context.apiVersion)) })]))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let instance = try await instance(try context.parameters.require("id"), auth: auth)
        let requestId = try context.parameters.require("request_id")
        guard let action = try await api.repository.action(instance.id, requestId: requestId) else {
            throw ComputeFault.notFound("Action for request_id \(requestId.prefix(64)) on instance \(instance.id) not found")
        }
        var body = view(action, version: context.apiVersion)
        body["events"] = .array(action.events.map { event in
            var fields: [String: JSONValue] = [
                "event": .string(event.name), "start_time": .string(event.startTime.iso8601Microseconds),
                "finish_time": event.finishTime.map { .string($0.iso8601Microseconds) } ?? .null,
                "result": event.result.map(JSONValue.string) ?? .null,
            ]
            if auth.isAdmin { fields["traceback"] = event.details.map(JSONValue.string) ?? .null }
            if context.apiVersion >= APIVersion(2, 62) {
                fields["hostId"] = .string(instance.host.map { _ in ServerView.hostId(instance) } ?? "")
                if auth.isAdmin { fields["host"] = event.host.map(JSONValue.string) ?? .null }
            }
            if context.apiVersion >= APIVersion(2, 84), auth.isAdmin || event.result == "Error" {
                fields["details"] = event.details.map(JSONValue.string) ?? .null
            }
            return .object(fields)
        })
        return try JSONResponse.make(JSONValue.object(["instanceAction": .object(body)]))
    }
}
