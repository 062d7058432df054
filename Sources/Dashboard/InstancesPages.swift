import Foundation
import HTTPSupport
import Hummingbird
import Logging

/// The project's instances: the table (its rows refresh themselves while any is busy), row and batch actions, and
/// each instance's page (overview, interfaces, volumes, log, action log, console).
extension Dashboard {
    func addProjectRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("project/overview") { request, _ in
            await page(request) { try await overview($0, from: request.uri.queryParameters["start"], to: request.uri.queryParameters["end"]) }
        }
        group.get("project/instances") { request, _ in await page(request) { try await instances($0) } }
        group.get("project/instances/rows") { request, _ in
            await page(request) { session in Self.html(try await instanceRows(session), status: .ok) }
        }
        group.get("project/instances/{id}") { request, context in
            await page(request) { try await instance($0, id: try context.parameters.require("id")) }
        }
        group.post("project/instances/{id}/action") { request, context in
            await form(request) { try await act($0, $1, id: try context.parameters.require("id")) }
        }
        group.post("project/instances/delete") { request, _ in await form(request) { try await deleteInstances($0, $1) } }
        group.get("project/launch") { request, _ in await page(request) { try await launchPage($0, form: nil, errors: [:]) } }
        group.post("project/launch") { request, _ in await form(request) { try await launch($0, $1) } }
    }

    func instances(_ session: DashboardSession) async throws -> Response {
        let body = Templates.render(templates, "instances", [
            "rows": try await instanceRows(session), "csrf": session.csrf, "canWrite": session.canWrite,
        ])
        return Self.html(await layout(session, title: "Instances", section: "instances", body: body), status: .ok)
    }

    /// The table's rows (`GET …/rows` for the live refresh).
    func instanceRows(_ session: DashboardSession) async throws -> String {
        async let servers = api.list("/compute/v2.1/servers/detail", "servers", token: session.token)
        let names = try await imageNames(session)
        let now = Date()
        let rows = try await servers.map { InstanceRow(server: $0, imageNames: names, now: now).view(canWrite: session.canWrite) }
        return Templates.render(templates, "instance_rows", ["rows": rows, "csrf": session.csrf, "canWrite": session.canWrite, "empty": rows.isEmpty])
    }

    func imageNames(_ session: DashboardSession) async throws -> [String: String] {
        let images = try await api.list("/image/v2/images?limit=1000", "images", token: session.token)
        return Dictionary(images.compactMap { image in (image["id"] as? String).map { ($0, image["name"] as? String ?? $0) } }) { first, _ in first }
    }

    func act(_ session: DashboardSession, _ form: FormBody, id: String) async throws -> Response {
        let action = form.text("action") ?? ""
        let server = "/compute/v2.1/servers/\(Self.segment(id))", list = "/dashboard/project/instances"
        let back = form["back"] == "detail" ? "\(list)/\(id)" : list
        let done = "\(InstanceRow.labels[action] ?? action.capitalized): request sent."
        guard action != "delete" else {
            // A deleted instance has no page to go back to.
            return try await apply(session, "DELETE", server, done: done, back: back, backWhenDone: list)
        }
        return try await apply(session, "POST", server + "/action", body: try InstanceRow.actionBody(action, form: form, back: back), done: done, back: back)
    }

    func deleteInstances(_ session: DashboardSession, _ form: FormBody) async throws -> Response {
        let ids = form.all("id")
        guard !ids.isEmpty else { throw DashboardError.badField("id", message: "Select the instances to delete.", back: "/dashboard/project/instances") }
        var deleted = 0
        for id in ids {
            let reply = try await api.call("DELETE", "/compute/v2.1/servers/\(Self.segment(id))", token: session.token)
            if reply.isSuccess { deleted += 1 } else { try await sessions.notify(session.id, reply.faultMessage, isError: true) }
        }
        if deleted > 0 { try await sessions.notify(session.id, "Deleting \(deleted) instance\(deleted == 1 ? "" : "s").") }
        return Self.redirect("/dashboard/project/instances")
    }

    func instance(_ session: DashboardSession, id: String) async throws -> Response {
        let path = "/compute/v2.1/servers/\(Self.segment(id))"
        let server = try await api.object(path, "server", token: session.token)
        async let interfaces = api.list("/networking/v2.0/ports?device_id=\(Self.segment(id))", "ports", token: session.token)
        async let volumes = api.list(path + "/os-volume_attachments", "volumeAttachments", token: session.token)
        async let actions = api.list(path + "/os-instance-actions", "instanceActions", token: session.token)
        let names = try await imageNames(session)
        let row = InstanceRow(server: server, imageNames: names, now: Date()).view(canWrite: session.canWrite)
        let log = try await api.call("POST", path + "/action", token: session.token, body: ["os-getConsoleOutput": ["length": 200]])
        var console: String?
        if row["status"] as? String == "ACTIVE" {
            let reply = try await api.call("POST", path + "/remote-consoles", token: session.token, body: ["remote_console": ["protocol": "vnc", "type": "novnc"]])
            console = (reply.body["remote_console"] as? [String: Any])?["url"] as? String
        }
        let flavors = session.canWrite ? try await api.list("/compute/v2.1/flavors", "flavors", token: session.token) : []
        let actionLog = try await actionLog(path, actions: try await actions, token: session.token)
        var context: [String: Any] = [
            "server": row, "csrf": session.csrf, "canWrite": session.canWrite,
            "interfaces": try await interfaces.map { interface in
                [
                    "port": interface["id"] as? String ?? "", "network": interface["network_id"] as? String ?? "", "mac": interface["mac_address"] as? String ?? "",
                    "ips": (interface["fixed_ips"] as? [[String: Any]] ?? []).compactMap { $0["ip_address"] as? String }.joined(separator: ", "),
                    "state": interface["status"] as? String ?? "",
                ]
            },
            "volumes": try await volumes.map { ["volume": $0["volumeId"] as? String ?? "", "device": $0["device"] as? String ?? ""] },
            "log": log.isSuccess ? log.body["output"] as? String ?? "" : log.faultMessage,
            "actionLog": actionLog,
            "flavors": flavors.map { ["id": $0["id"] as? String ?? "", "name": $0["name"] as? String ?? ""] },
            "images": names.sorted { $0.value < $1.value }.map { ["id": $0.key, "name": $0.value] },
        ]
        if let console { context["console"] = console }
        let changes = ["snapshot_name", "flavor", "image"]
        if let refusal = try await sessions.takeRefusal(session.id, if: { $0.action.hasSuffix("/instances/\(id)/action") && changes.contains($0.field) }) {
            context["error_" + refusal.field] = refusal.message
        }
        let body = Templates.render(templates, "instance", context)
        return Self.html(await layout(session, title: row["name"] as? String ?? id, section: "instances", body: body), status: .ok)
    }

    /// The instance's actions with their events (of the latest ten: one call each, at 2.51, where a member sees
    /// events too).
    func actionLog(_ server: String, actions: [[String: Any]], token: String) async throws -> [[String: Any]] {
        let shown = 10
        return try await withThrowingTaskGroup(of: (Int, [[String: String]]).self) { group in
            for (index, action) in actions.prefix(shown).enumerated() {
                let request = action["request_id"] as? String ?? ""
                group.addTask {
                    let reply = try await api.call("GET", server + "/os-instance-actions/\(Self.segment(request))", token: token,
                                                   headers: [("OpenStack-API-Version", "compute 2.51")])
                    let events = (reply.body["instanceAction"] as? [String: Any])?["events"] as? [[String: Any]] ?? []
                    return (index, events.map { event in
                        ["event": event["event"] as? String ?? "", "result": event["result"] as? String ?? "",
                         "start": event["start_time"] as? String ?? "", "finish": event["finish_time"] as? String ?? ""]
                    })
                }
            }
            var events = [Int: [[String: String]]]()
            for try await (index, list) in group { events[index] = list }
            return actions.enumerated().map { index, action in
                ["action": action["action"] as? String ?? "", "request": action["request_id"] as? String ?? "", "start": action["start_time"] as? String ?? "",
                 "user": action["user_id"] as? String ?? "", "message": action["message"] as? String ?? "", "events": events[index] ?? []]
            }
        }
    }

    /// A path segment of user input, percent-encoded.
    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_"))) ?? ""
    }
}
