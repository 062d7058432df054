import Foundation
import HTTPSupport
import Hummingbird

/// The admin's pages (admins only; a member gets the 403 page): hypervisors with their usage, compute services (enable,
/// disable, forced down), every project's instances with their hosts, flavors (create, delete, which projects may use a
/// private one).
extension Dashboard {
    func addAdminRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("admin/hypervisors") { request, _ in await admin(request) { try await hypervisorsPage($0) } }
        group.get("admin/services") { request, _ in await admin(request) { try await servicesPage($0) } }
        group.get("admin/instances") { request, _ in await admin(request) { try await allInstancesPage($0) } }
        group.get("admin/flavors") { request, _ in await admin(request) { try await flavorsPage($0) } }
        group.post("admin/services/{id}/{op}") { request, context in
            await form(request) { session, form in
                guard session.isAdmin else { throw DashboardError.api(403, Self.adminOnly) }
                return try await changeService(session, form, id: try context.parameters.require("id"), op: try context.parameters.require("op"))
            }
        }
        group.post("admin/flavors/create") { request, _ in
            await form(request) { session, form in
                guard session.isAdmin else { throw DashboardError.api(403, Self.adminOnly) }
                return try await createFlavor(session, form)
            }
        }
        group.post("admin/flavors/{id}/{op}") { request, context in
            await form(request) { session, form in
                guard session.isAdmin else { throw DashboardError.api(403, Self.adminOnly) }
                return try await changeFlavor(session, form, id: try context.parameters.require("id"), op: try context.parameters.require("op"))
            }
        }
    }

    static let adminOnly = "Only administrators may open the admin pages."

    func admin(_ request: Request, _ body: (DashboardSession) async throws -> Response) async -> Response {
        await page(request) { session in
            guard session.isAdmin else { throw DashboardError.api(403, Self.adminOnly) }
            return try await body(session)
        }
    }

    func hypervisorsPage(_ session: DashboardSession) async throws -> Response {
        let hypervisors = try await api.list("/compute/v2.1/os-hypervisors/detail", "hypervisors", token: session.token)
        let rows = hypervisors.map { hypervisor in
            let int = { (key: String) in hypervisor[key] as? Int ?? 0 }
            return ResourcePage.Row(cells: [
                .init(text: hypervisor["hypervisor_hostname"] as? String ?? ""), .init(text: hypervisor["hypervisor_type"] as? String ?? ""),
                .init(text: hypervisor["state"] as? String ?? ""), .init(text: hypervisor["status"] as? String ?? ""),
                .init(text: "\(int("vcpus_used")) of \(int("vcpus"))"), .init(text: "\(int("memory_mb_used")) of \(int("memory_mb")) MB"),
                .init(text: "\(int("local_gb_used")) of \(int("local_gb")) GB"), .init(text: "\(int("running_vms"))"),
            ])
        }
        return try await render(session, ResourcePage(
            title: "Hypervisors", section: "admin_hypervisors", columns: ["Hostname", "Type", "State", "Status", "vCPUs used", "RAM used", "Disk used", "Instances"],
            rows: rows, empty: "No hypervisors."
        ))
    }

    func servicesPage(_ session: DashboardSession) async throws -> Response {
        let services = try await api.list("/compute/v2.1/os-services", "services", token: session.token)
        let rows = services.map { service -> ResourcePage.Row in
            let id = service["id"] as? String ?? "", base = "/dashboard/admin/services/\(Self.segment(id))"
            let disabled = service["status"] as? String == "disabled", forced = service["forced_down"] as? Bool ?? false
            var forms: [ResourcePage.Form] = [disabled
                ? .init(action: base + "/enable", submit: "Enable")
                : .init(action: base + "/disable", submit: "Disable", fields: [.init(name: "reason", label: "Reason")], danger: true)]
            if service["binary"] as? String == "nova-compute" {
                forms.append(forced ? .init(action: base + "/up", submit: "Unset Forced Down") : .init(action: base + "/down", submit: "Force Down", danger: true))
            }
            return ResourcePage.Row(cells: [
                .init(text: service["binary"] as? String ?? ""), .init(text: service["host"] as? String ?? ""), .init(text: service["zone"] as? String ?? ""),
                .init(text: service["status"] as? String ?? ""), .init(text: service["state"] as? String ?? ""), .init(text: forced ? "yes" : "no"),
                .init(text: service["disabled_reason"] as? String ?? ""), .init(text: service["updated_at"] as? String ?? ""),
            ], forms: forms)
        }
        return try await render(session, ResourcePage(
            title: "Compute Services", section: "admin_services",
            columns: ["Binary", "Host", "Zone", "Status", "State", "Forced Down", "Disabled Reason", "Last Updated"], rows: rows, empty: "No services."
        ))
    }

    func changeService(_ session: DashboardSession, _ form: FormBody, id: String, op: String) async throws -> Response {
        let body: [String: Any]
        switch op {
        case "enable": body = ["status": "enabled"]
        case "disable": body = ["status": "disabled", "disabled_reason": form.text("reason") ?? "disabled from the dashboard"]
        case "down": body = ["forced_down": true]
        case "up": body = ["forced_down": false]
        default: throw DashboardError.api(404, "There is no service action '\(op)'.")
        }
        return try await apply(session, "PUT", "/compute/v2.1/os-services/\(Self.segment(id))", body: body, done: "Service updated.", back: "/dashboard/admin/services")
    }

    func allInstancesPage(_ session: DashboardSession) async throws -> Response {
        async let servers = api.list("/compute/v2.1/servers/detail?all_tenants=1", "servers", token: session.token)
        let names = try await imageNames(session)
        let now = Date()
        let rows = try await servers.map { server -> ResourcePage.Row in
            let row = InstanceRow(server: server, imageNames: names, now: now).view(canWrite: false)
            let text = { (key: String) in row[key] as? String ?? "" }
            return ResourcePage.Row(cells: [
                .init(text: server["tenant_id"] as? String ?? ""), .init(text: text("host")), .init(text: text("name")), .init(text: text("image")),
                .init(text: text("addresses")), .init(text: text("flavor")), .init(text: text("status")), .init(text: text("task")), .init(text: text("power")),
            ])
        }
        return try await render(session, ResourcePage(
            title: "All Instances", section: "admin_instances",
            columns: ["Project", "Host", "Name", "Image", "IP Address", "Flavor", "Status", "Task", "Power State"], rows: rows, empty: "No instances."
        ))
    }

    func flavorsPage(_ session: DashboardSession) async throws -> Response {
        async let flavors = api.list("/compute/v2.1/flavors/detail?is_public=None", "flavors", token: session.token)
        let projects = try await api.list("/identity/v3/projects", "projects", token: session.token)
            .map { (value: $0["id"] as? String ?? "", label: $0["name"] as? String ?? "") }
        let projectNames = Dictionary(projects.map { ($0.value, $0.label) }) { first, _ in first }
        var rows: [ResourcePage.Row] = []
        for flavor in try await flavors {
            let id = flavor["id"] as? String ?? "", base = "/dashboard/admin/flavors/\(Self.segment(id))"
            let isPublic = flavor["os-flavor-access:is_public"] as? Bool != false
            var forms: [ResourcePage.Form] = []
            var access: [String] = []
            if !isPublic {
                access = try await api.list("/compute/v2.1/flavors/\(Self.segment(id))/os-flavor-access", "flavor_access", token: session.token)
                    .compactMap { $0["tenant_id"] as? String }
                let others = projects.filter { !access.contains($0.value) }, given = access.map { (value: $0, label: projectNames[$0] ?? $0) }
                if !others.isEmpty {
                    forms.append(.init(action: base + "/grant", submit: "Give Access", fields: [.init(name: "project", label: "Project", type: "select", options: others)]))
                }
                if !given.isEmpty {
                    forms.append(.init(action: base + "/revoke", submit: "Remove Access", fields: [.init(name: "project", label: "Project", type: "select", options: given)]))
                }
            }
            forms.append(.init(action: base + "/delete", submit: "Delete", confirm: "Delete this flavor?", danger: true))
            rows.append(ResourcePage.Row(cells: [
                .init(text: flavor["name"] as? String ?? ""), .init(text: id), .init(text: "\(flavor["vcpus"] as? Int ?? 0)"),
                .init(text: "\(flavor["ram"] as? Int ?? 0) MB"), .init(text: "\(flavor["disk"] as? Int ?? 0) GB"),
                .init(text: isPublic ? "yes" : "no"), .init(text: access.map { projectNames[$0] ?? $0 }.joined(separator: ", ")),
            ], forms: forms))
        }
        return try await render(session, ResourcePage(
            title: "Flavors", section: "admin_flavors", columns: ["Name", "ID", "vCPUs", "RAM", "Root Disk", "Public", "Projects With Access"], rows: rows,
            forms: [.init(action: "/dashboard/admin/flavors/create", submit: "Create Flavor", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "vcpus", label: "vCPUs", type: "number", value: "1", required: true),
                .init(name: "ram", label: "RAM (MB)", type: "number", value: "512", required: true),
                .init(name: "disk", label: "Root disk (GB)", type: "number", value: "1", required: true),
                .init(name: "private", label: "Private (for projects given access)", type: "checkbox"),
            ])], empty: "No flavors."
        ))
    }

    func changeFlavor(_ session: DashboardSession, _ form: FormBody, id: String, op: String) async throws -> Response {
        let flavor = "/compute/v2.1/flavors/\(Self.segment(id))", back = "/dashboard/admin/flavors"
        switch op {
        case "delete":
            return try await apply(session, "DELETE", flavor, done: "Flavor deleted.", back: back)
        case "grant", "revoke":
            guard let project = form.text("project") else { throw DashboardError.badField("project", message: "Choose a project.", back: back) }
            let action = op == "grant" ? "addTenantAccess" : "removeTenantAccess"
            return try await apply(session, "POST", flavor + "/action", body: [action: ["tenant": project]],
                                   done: op == "grant" ? "Access given." : "Access removed.", back: back)
        default:
            throw DashboardError.api(404, "There is no flavor action '\(op)'.")
        }
    }

    func createFlavor(_ session: DashboardSession, _ form: FormBody) async throws -> Response {
        let back = "/dashboard/admin/flavors"
        guard let name = form.text("name") else { throw DashboardError.badField("name", message: "Give the flavor a name.", back: back) }
        func count(_ field: String, _ what: String, least: Int) throws -> Int {
            guard let value = form.text(field).flatMap(Int.init), value >= least else {
                throw DashboardError.badField(field, message: "\(what) is a whole number, \(least) or more.", back: back)
            }
            return value
        }
        let vcpus = try count("vcpus", "The number of vCPUs", least: 1), ram = try count("ram", "The RAM", least: 1), disk = try count("disk", "The disk", least: 0)
        return try await apply(session, "POST", "/compute/v2.1/flavors", body: [
            "flavor": ["name": name, "vcpus": vcpus, "ram": ram, "disk": disk, "os-flavor-access:is_public": form["private"] != "1"],
        ], done: "Flavor \(name) created.", back: back)
    }
}
