import Foundation
import HTTPSupport
import Hummingbird

/// The admin's identity and placement pages: projects (create, enable, disable), users (create, enable, disable, grant
/// a role on a project), host aggregates and their zones (create, add a host, delete).
extension Dashboard {
    func addAdminIdentityRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("admin/projects") { request, _ in await admin(request) { try await projectsPage($0) } }
        group.get("admin/users") { request, _ in await admin(request) { try await usersPage($0) } }
        group.get("admin/aggregates") { request, _ in await admin(request) { try await aggregatesPage($0) } }
        for kind in ["projects", "users", "aggregates"] {
            group.post(RouterPath("admin/\(kind)/create")) { request, _ in
                await form(request) { session, form in
                    guard session.isAdmin else { throw DashboardError.api(403, Self.adminOnly) }
                    return try await createAdminRecord(session, form, kind: kind)
                }
            }
            group.post(RouterPath("admin/\(kind)/{id}/{op}")) { request, context in
                await form(request) { session, form in
                    guard session.isAdmin else { throw DashboardError.api(403, Self.adminOnly) }
                    return try await changeAdminRecord(session, form, kind: kind, id: try context.parameters.require("id"), op: try context.parameters.require("op"))
                }
            }
        }
    }

    /// Enable or disable, whichever the record is not.
    private func toggle(_ base: String, enabled: Bool) -> ResourcePage.Form {
        enabled ? .init(action: base + "/disable", submit: "Disable", danger: true) : .init(action: base + "/enable", submit: "Enable")
    }

    func projectsPage(_ session: DashboardSession) async throws -> Response {
        let projects = try await api.list("/identity/v3/projects", "projects", token: session.token)
        let rows = projects.map { project -> ResourcePage.Row in
            let id = project["id"] as? String ?? "", enabled = project["enabled"] as? Bool ?? true
            return ResourcePage.Row(cells: [
                .init(text: project["name"] as? String ?? ""), .init(text: id), .init(text: project["description"] as? String ?? ""),
                .init(text: enabled ? "yes" : "no"),
            ], forms: [toggle("/dashboard/admin/projects/\(Self.segment(id))", enabled: enabled)])
        }
        return try await render(session, ResourcePage(
            title: "Projects", section: "admin_projects", columns: ["Name", "ID", "Description", "Enabled"], rows: rows,
            forms: [.init(action: "/dashboard/admin/projects/create", submit: "Create Project", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "description", label: "Description"),
            ])], empty: "No projects."
        ))
    }

    func usersPage(_ session: DashboardSession) async throws -> Response {
        async let users = api.list("/identity/v3/users", "users", token: session.token)
        async let projects = api.list("/identity/v3/projects", "projects", token: session.token)
        async let roles = api.list("/identity/v3/roles", "roles", token: session.token)
        let projectOptions = try await projects.map { (value: $0["id"] as? String ?? "", label: $0["name"] as? String ?? "") }
        let roleOptions = try await roles.map { (value: $0["id"] as? String ?? "", label: $0["name"] as? String ?? "") }
        let projectNames = Dictionary(projectOptions.map { ($0.value, $0.label) }) { first, _ in first }
        let rows = try await users.map { user -> ResourcePage.Row in
            let id = user["id"] as? String ?? "", enabled = user["enabled"] as? Bool ?? true, base = "/dashboard/admin/users/\(Self.segment(id))"
            return ResourcePage.Row(cells: [
                .init(text: user["name"] as? String ?? ""), .init(text: id), .init(text: projectNames[user["default_project_id"] as? String ?? ""] ?? ""),
                .init(text: enabled ? "yes" : "no"),
            ], forms: [
                toggle(base, enabled: enabled),
                .init(action: base + "/grant", submit: "Grant Role", fields: [
                    .init(name: "project", label: "Project", type: "select", options: projectOptions),
                    .init(name: "role", label: "Role", type: "select", options: roleOptions),
                ]),
            ])
        }
        return try await render(session, ResourcePage(
            title: "Users", section: "admin_users", columns: ["Name", "ID", "Primary Project", "Enabled"], rows: rows,
            forms: [.init(action: "/dashboard/admin/users/create", submit: "Create User", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "password", label: "Password", type: "password", required: true),
                .init(name: "project", label: "Primary project", type: "select", options: [(value: "", label: "None")] + projectOptions),
            ])], empty: "No users."
        ))
    }

    func aggregatesPage(_ session: DashboardSession) async throws -> Response {
        async let aggregates = api.list("/compute/v2.1/os-aggregates", "aggregates", token: session.token)
        let hosts = try await api.list("/compute/v2.1/os-services?binary=nova-compute", "services", token: session.token)
            .compactMap { $0["host"] as? String }.sorted().map { (value: $0, label: $0) }
        let rows = try await aggregates.map { aggregate -> ResourcePage.Row in
            let id = "\(aggregate["id"] as? Int ?? 0)", base = "/dashboard/admin/aggregates/\(id)"
            return ResourcePage.Row(cells: [
                .init(text: aggregate["name"] as? String ?? ""), .init(text: aggregate["availability_zone"] as? String ?? ""),
                .init(text: (aggregate["hosts"] as? [String] ?? []).joined(separator: ", ")),
            ], forms: [
                .init(action: base + "/add_host", submit: "Add Host", fields: [.init(name: "host", label: "Host", type: "select", options: hosts)]),
                .init(action: base + "/delete", submit: "Delete", confirm: "Delete this aggregate?", danger: true),
            ])
        }
        return try await render(session, ResourcePage(
            title: "Host Aggregates", section: "admin_aggregates", columns: ["Name", "Availability Zone", "Hosts"], rows: rows,
            forms: [.init(action: "/dashboard/admin/aggregates/create", submit: "Create Aggregate", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "zone", label: "Availability zone"),
            ])], empty: "No host aggregates."
        ))
    }

    func createAdminRecord(_ session: DashboardSession, _ form: FormBody, kind: String) async throws -> Response {
        let back = "/dashboard/admin/\(kind)"
        guard let name = form.text("name") else { throw DashboardError.badField("name", message: "Give it a name.", back: back) }
        switch kind {
        case "projects":
            return try await apply(session, "POST", "/identity/v3/projects", body: ["project": ["name": name, "description": form.text("description") ?? ""]],
                                   done: "Project \(name) created.", back: back)
        case "users":
            guard let password = form["password"], !password.isEmpty else { throw DashboardError.badField("password", message: "Give the user a password.", back: back) }
            var user: [String: Any] = ["name": name, "password": password]
            if let project = form.text("project") { user["default_project_id"] = project }
            return try await apply(session, "POST", "/identity/v3/users", body: ["user": user], done: "User \(name) created.", back: back)
        default:
            var aggregate: [String: Any] = ["name": name]
            if let zone = form.text("zone") { aggregate["availability_zone"] = zone }
            return try await apply(session, "POST", "/compute/v2.1/os-aggregates", body: ["aggregate": aggregate],
                                   done: "Aggregate \(name) created.", back: back)
        }
    }

    func changeAdminRecord(_ session: DashboardSession, _ form: FormBody, kind: String, id: String, op: String) async throws -> Response {
        let item = Self.segment(id), back = "/dashboard/admin/\(kind)"
        switch (kind, op) {
        case ("projects", "enable"), ("projects", "disable"), ("users", "enable"), ("users", "disable"):
            let record = kind == "projects" ? "project" : "user"
            return try await apply(session, "PATCH", "/identity/v3/\(kind)/\(item)", body: [record: ["enabled": op == "enable"]],
                                   done: op == "enable" ? "Enabled." : "Disabled.", back: back)
        case ("users", "grant"):
            guard let project = form.text("project") else { throw DashboardError.badField("project", message: "Choose a project.", back: back) }
            guard let role = form.text("role") else { throw DashboardError.badField("role", message: "Choose a role.", back: back) }
            return try await apply(session, "PUT", "/identity/v3/projects/\(Self.segment(project))/users/\(item)/roles/\(Self.segment(role))",
                                   done: "Role granted.", back: back)
        case ("aggregates", "add_host"):
            guard let host = form.text("host") else { throw DashboardError.badField("host", message: "Choose a host.", back: back) }
            return try await apply(session, "POST", "/compute/v2.1/os-aggregates/\(item)/action", body: ["add_host": ["host": host]],
                                   done: "Host \(host) added.", back: back)
        case ("aggregates", "delete"):
            return try await apply(session, "DELETE", "/compute/v2.1/os-aggregates/\(item)", done: "Aggregate deleted.", back: back)
        default:
            throw DashboardError.api(404, "There is no action '\(op)' on \(kind).")
        }
    }
}
