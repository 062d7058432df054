import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `PUT /os-services/{action}` before 2.53: the service named by host and binary in the body.
extension HostController {
    func serviceAction(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-services:update")
        let action = try context.parameters.require("id")
        let actions = ["enable", "disable", "disable-log-reason"] + (context.apiVersion >= APIVersion(2, 11) ? ["force-down"] : [])
        guard actions.contains(action) else { throw ComputeFault.notFound("Unknown action") }
        var request = request
        var body = BodyReader(try await request.jsonObject(context: context), path: "service")
        guard let host = try body.string("host"), let binary = try body.string("binary") else {
            throw StratusError.badRequest("Invalid input for field/attribute service. 'host' and 'binary' are required properties")
        }
        let reason = try body.string("disabled_reason")
        var forced: Bool?
        if context.apiVersion >= APIVersion(2, 11) { forced = try body.bool("forced_down") }
        try body.finish()
        guard binary == "nova-compute", let node = try await api.repository.computeNode(host: host) else {
            throw ComputeFault.notFound("Could not find binary \(binary.prefix(64)) on host \(host.prefix(255)).")
        }
        var view: [String: JSONValue] = ["host": .string(host), "binary": .string(binary)]
        switch action {
        case "force-down":
            guard let forced else { throw StratusError.badRequest("Missing forced_down field") }
            _ = try await change(node, disabled: nil, reason: nil, forcedDown: forced)
            view["forced_down"] = .bool(forced)
        case "disable-log-reason":
            guard let reason else {
                throw StratusError.badRequest(
                    "The string containing the reason for disabling the service contains invalid characters or is too long."
                )
            }
            _ = try await change(node, disabled: true, reason: reason, forcedDown: nil)
            view["status"] = .string("disabled")
            view["disabled_reason"] = .string(reason)
        default:
            let disabled = action == "disable"
            _ = try await change(node, disabled: disabled, reason: nil, forcedDown: nil)
            view["status"] = .string(disabled ? "disabled" : "enabled")
        }
        return try JSONResponse.make(JSONValue.object(["service": .object(view)]))
    }
}
