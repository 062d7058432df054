import Foundation
import HTTPSupport
import Hummingbird

/// The project's other resources, each a `ResourcePage`: volumes, images, networks (and their ports), security groups
/// (and their rules), key pairs. Each form posts to `…/KIND/{id}/{op}` (or `…/KIND/create`) and becomes one API call
/// (two for a network with a subnet); what the API said is the next page's notice.
extension Dashboard {
    func addResourceRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("project/volumes") { request, _ in await page(request) { try await volumesPage($0) } }
        group.get("project/images") { request, _ in await page(request) { try await imagesPage($0) } }
        group.get("project/images/{id}") { request, context in
            await page(request) { try await imagePage($0, image: try context.parameters.require("id")) }
        }
        group.get("project/networks") { request, _ in await page(request) { try await networksPage($0) } }
        group.get("project/networks/{id}/ports") { request, context in
            await page(request) { try await portsPage($0, network: try context.parameters.require("id")) }
        }
        group.get("project/security_groups") { request, _ in await page(request) { try await securityGroupsPage($0) } }
        group.get("project/security_groups/{id}") { request, context in
            await page(request) { try await rulesPage($0, group: try context.parameters.require("id")) }
        }
        group.get("project/key_pairs") { request, _ in await page(request) { try await keyPairsPage($0) } }
        // One route per kind (Hummingbird's router does not go back from a literal segment to a parameter).
        for kind in ["volumes", "networks", "security_groups", "key_pairs"] {
            group.post(RouterPath("project/\(kind)/create")) { request, _ in await form(request) { try await create($0, $1, kind: kind) } }
        }
        for kind in ["volumes", "images", "networks", "security_groups", "security_group_rules", "key_pairs"] {
            group.post(RouterPath("project/\(kind)/{id}/{op}")) { request, context in
                await form(request) { session, form in
                    try await change(session, form, kind: kind, id: try context.parameters.require("id"), op: try context.parameters.require("op"))
                }
            }
        }
    }

    func render(_ session: DashboardSession, _ page: ResourcePage) async throws -> Response {
        let refusal = try await sessions.takeRefusal(session.id, if: page.shows)
        let body = Templates.render(templates, "resources", page.context(csrf: session.csrf, refusal: refusal))
        return Self.html(await layout(session, title: page.title, section: page.section, body: body), status: .ok)
    }

    /// One API call for a form: its success or its fault is the next page's notice; then back to `back` (to
    /// `backWhenDone`, when given, after a success).
    func apply(
        _ session: DashboardSession, _ method: String, _ path: String, body: Any? = nil, headers: [(String, String)] = [],
        done: String, back: String, backWhenDone: String? = nil
    ) async throws -> Response {
        let reply = try await api.call(method, path, token: session.token, body: body, headers: headers)
        if reply.status == 401 { throw DashboardError.api(401, reply.faultMessage) }
        try await sessions.notify(session.id, reply.isSuccess ? done : reply.faultMessage, isError: !reply.isSuccess)
        return Self.redirect(reply.isSuccess ? backWhenDone ?? back : back)
    }

    // MARK: Pages

    func volumesPage(_ session: DashboardSession) async throws -> Response {
        async let volumes = api.list("/volume/v3/volumes/detail", "volumes", token: session.token)
        async let servers = api.list("/compute/v2.1/servers", "servers", token: session.token)
        async let images = imageNames(session)
        let serverNames = try await servers.map { (value: $0["id"] as? String ?? "", label: $0["name"] as? String ?? "") }
        let names = Dictionary(serverNames.map { ($0.value, $0.label) }) { first, _ in first }
        let rows = try await volumes.map { volume -> ResourcePage.Row in
            let id = volume["id"] as? String ?? "", status = volume["status"] as? String ?? ""
            let attachments = volume["attachments"] as? [[String: Any]] ?? []
            let base = "/dashboard/project/volumes/\(Self.segment(id))"
            var forms: [ResourcePage.Form] = []
            if session.canWrite, status == "available" {
                forms.append(.init(action: base + "/extend", submit: "Extend", fields: [.init(name: "size", label: "New size (GB)", type: "number")]))
                if !serverNames.isEmpty {
                    forms.append(.init(action: base + "/attach", submit: "Attach", fields: [.init(name: "server", label: "Instance", type: "select", options: serverNames)]))
                }
            }
            if session.canWrite, status == "in-use" {
                for attachment in attachments {
                    let server = attachment["server_id"] as? String ?? ""
                    forms.append(.init(action: base + "/detach", submit: "Detach from \(names[server] ?? server)", hidden: [("server", server)]))
                }
            }
            if session.canWrite, ["available", "in-use"].contains(status) {
                forms.append(.init(action: base + "/snapshot", submit: "Create Snapshot", fields: [.init(name: "name", label: "Snapshot name")]))
            }
            if session.canWrite { forms.append(.init(action: base + "/delete", submit: "Delete", confirm: "Delete this volume?", danger: true)) }
            return ResourcePage.Row(cells: [
                .init(text: volume["name"] as? String ?? ""), .init(text: id), .init(text: "\(volume["size"] as? Int ?? 0) GB"), .init(text: status),
                .init(text: attachments.map { names[$0["server_id"] as? String ?? ""] ?? ($0["server_id"] as? String ?? "") }.joined(separator: ", ")),
                .init(text: volume["bootable"] as? String == "true" ? "yes" : "no"),
            ], forms: forms)
        }
        let imageOptions = [(value: "", label: "None (empty)")] + (try await images).sorted { $0.value < $1.value }.map { (value: $0.key, label: $0.value) }
        return try await render(session, ResourcePage(
            title: "Volumes", section: "volumes", columns: ["Name", "ID", "Size", "Status", "Attached To", "Bootable"], rows: rows,
            forms: session.canWrite ? [.init(action: "/dashboard/project/volumes/create", submit: "Create Volume", fields: [
                .init(name: "name", label: "Name"), .init(name: "size", label: "Size (GB)", type: "number", value: "1", required: true),
                .init(name: "image", label: "Image", type: "select", options: imageOptions),
            ])] : [], empty: "No volumes."
        ))
    }

    func imagesPage(_ session: DashboardSession) async throws -> Response {
        let images = try await api.list("/image/v2/images?limit=1000", "images", token: session.token)
        let rows = images.map { image -> ResourcePage.Row in
            let id = image["id"] as? String ?? ""
            let mine = image["owner"] as? String == session.projectId || session.isAdmin
            let base = "/dashboard/project/images/\(Self.segment(id))"
            return ResourcePage.Row(cells: [
                .init(text: image["name"] as? String ?? "", link: "/dashboard/project/images/\(Self.segment(id))"), .init(text: image["status"] as? String ?? ""),
                .init(text: image["visibility"] as? String ?? ""), .init(text: image["disk_format"] as? String ?? ""), .init(text: Self.bytes(image["size"] as? Int)),
            ], forms: session.canWrite && mine ? [.init(action: base + "/delete", submit: "Delete", confirm: "Delete this image?", danger: true)] : [])
        }
        var page = ResourcePage(title: "Images", section: "images", columns: ["Name", "Status", "Visibility", "Format", "Size"], rows: rows, empty: "No images.")
        page.upload = session.canWrite ? Self.diskFormats : nil
        return try await render(session, page)
    }

    /// Glance's own fields of an image; every other field is a custom property (always a string).
    static let imageFields: Set<String> = [
        "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "disk_format", "container_format", "size", "virtual_size",
        "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram", "created_at", "updated_at", "tags", "self", "file", "schema",
        "locations", "direct_url", "stores",
    ]

    static func customProperties(of image: [String: Any]) -> [(key: String, value: String)] {
        image.compactMap { key, value in Self.imageFields.contains(key) ? nil : (value as? String).map { (key, $0) } }.sorted { $0.key < $1.key }
    }

    /// One image: its fields and custom properties, and (to its owner) the form that edits them.
    func imagePage(_ session: DashboardSession, image id: String) async throws -> Response {
        let image = try await api.object("/image/v2/images/\(Self.segment(id))", nil, token: session.token)
        let properties = Self.customProperties(of: image)
        let text = { (key: String) in image[key].map { "\($0)" } ?? "" }
        let rows = ["id", "status", "owner", "disk_format", "container_format", "size", "checksum", "created_at", "updated_at"].map { key in
            ResourcePage.Row(cells: [.init(text: key), .init(text: text(key))])
        } + properties.map { ResourcePage.Row(cells: [.init(text: $0.key), .init(text: $0.value)]) }
        var page = ResourcePage(
            title: "Image \(image["name"] as? String ?? id)", section: "images", columns: ["Field", "Value"], rows: rows,
            empty: "", back: ("All images", "/dashboard/project/images")
        )
        if session.canWrite, image["owner"] as? String == session.projectId || session.isAdmin {
            page.forms = [.init(action: "/dashboard/project/images/\(Self.segment(id))/edit", submit: "Save", fields: [
                .init(name: "name", label: "Name", value: image["name"] as? String ?? "", required: true),
                .init(name: "visibility", label: "Visibility", type: "select", value: image["visibility"] as? String ?? "shared",
                      options: ["private", "shared", "community", "public"].map { ($0, $0.capitalized) }),
                .init(name: "min_disk", label: "Minimum disk (GB)", type: "number", value: text("min_disk")),
                .init(name: "min_ram", label: "Minimum RAM (MB)", type: "number", value: text("min_ram")),
                .init(name: "protected", label: "Protected", type: "checkbox", value: image["protected"] as? Bool == true ? "1" : ""),
                .init(name: "properties", label: "Properties (key=value, one a line)", type: "textarea",
                      value: properties.map { "\($0.key)=\($0.value)" }.joined(separator: "\n")),
            ])]
        }
        return try await render(session, page)
    }

    /// The JSON patch that makes `image` what the edit form says: its fields replaced, custom properties added,
    /// changed or (when their line is gone) removed.
    func imagePatch(_ image: [String: Any], _ form: FormBody, back: String) throws -> [[String: Any]] {
        guard let name = form.text("name") else { throw DashboardError.badField("name", message: "Give the image a name.", back: back) }
        func size(_ field: String, _ what: String) throws -> Int {
            guard let text = form.text(field) else { return 0 }
            guard let value = Int(text), value >= 0 else { throw DashboardError.badField(field, message: "\(what) is a whole number, 0 or more.", back: back) }
            return value
        }
        var patch: [[String: Any]] = [
            ["op": "replace", "path": "/name", "value": name], ["op": "replace", "path": "/visibility", "value": form.text("visibility") ?? "shared"],
            ["op": "replace", "path": "/min_disk", "value": try size("min_disk", "The minimum disk")],
            ["op": "replace", "path": "/min_ram", "value": try size("min_ram", "The minimum RAM")],
            ["op": "replace", "path": "/protected", "value": form["protected"] == "1"],
        ]
        var wanted: [String: String] = [:]
        for line in (form["properties"] ?? "").split(whereSeparator: \.isNewline) where !line.allSatisfy(\.isWhitespace) {
            let parts = line.split(separator: "=", maxSplits: 1)
            let key = parts.first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            guard parts.count == 2, !key.isEmpty, !Self.imageFields.contains(key) else {
                throw DashboardError.badField("properties", message: "'\(line)' is not key=value with a key of your own (not an image field).", back: back)
            }
            wanted[key] = parts[1].trimmingCharacters(in: .whitespaces)
        }
        let current = Dictionary(uniqueKeysWithValues: Self.customProperties(of: image).map { ($0.key, $0.value) })
        for (key, value) in wanted.sorted(by: { $0.key < $1.key }) where current[key] != value {
            patch.append(["op": "add", "path": "/" + key, "value": value])
        }
        for key in current.keys.sorted() where wanted[key] == nil { patch.append(["op": "remove", "path": "/" + key]) }
        return patch
    }

    func networksPage(_ session: DashboardSession) async throws -> Response {
        async let networks = api.list("/networking/v2.0/networks", "networks", token: session.token)
        let subnets = try await api.list("/networking/v2.0/subnets", "subnets", token: session.token)
        let rows = try await networks.map { network -> ResourcePage.Row in
            let id = network["id"] as? String ?? ""
            let cidrs = subnets.filter { $0["network_id"] as? String == id }.compactMap { $0["cidr"] as? String }
            let mine = network["project_id"] as? String == session.projectId
            return ResourcePage.Row(cells: [
                .init(text: network["name"] as? String ?? "", link: "/dashboard/project/networks/\(Self.segment(id))/ports"),
                .init(text: cidrs.joined(separator: ", ")), .init(text: network["shared"] as? Bool == true ? "yes" : "no"),
                .init(text: network["status"] as? String ?? ""),
            ], forms: session.canWrite && mine ? [
                .init(action: "/dashboard/project/networks/\(Self.segment(id))/delete", submit: "Delete", confirm: "Delete this network?", danger: true),
            ] : [])
        }
        return try await render(session, ResourcePage(
            title: "Networks", section: "networks", columns: ["Name", "Subnets", "Shared", "Status"], rows: rows,
            forms: session.canWrite ? [.init(action: "/dashboard/project/networks/create", submit: "Create Network", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "cidr", label: "Subnet (CIDR, optional)"),
            ])] : [], empty: "No networks."
        ))
    }

    func portsPage(_ session: DashboardSession, network: String) async throws -> Response {
        let ports = try await api.list("/networking/v2.0/ports?network_id=\(Self.segment(network))", "ports", token: session.token)
        let rows = ports.map { port in
            ResourcePage.Row(cells: [
                .init(text: port["name"] as? String ?? ""), .init(text: port["id"] as? String ?? ""),
                .init(text: (port["fixed_ips"] as? [[String: Any]] ?? []).compactMap { $0["ip_address"] as? String }.joined(separator: ", ")),
                .init(text: port["mac_address"] as? String ?? ""), .init(text: port["device_owner"] as? String ?? ""), .init(text: port["status"] as? String ?? ""),
            ])
        }
        return try await render(session, ResourcePage(
            title: "Ports", section: "networks", columns: ["Name", "ID", "Fixed IPs", "MAC Address", "Attached Device", "Status"], rows: rows,
            empty: "No ports.", back: ("All networks", "/dashboard/project/networks")
        ))
    }

    func securityGroupsPage(_ session: DashboardSession) async throws -> Response {
        let groups = try await api.list("/networking/v2.0/security-groups?project_id=\(Self.segment(session.projectId))", "security_groups", token: session.token)
        let rows = groups.map { group -> ResourcePage.Row in
            let id = group["id"] as? String ?? ""
            return ResourcePage.Row(cells: [
                .init(text: group["name"] as? String ?? "", link: "/dashboard/project/security_groups/\(Self.segment(id))"),
                .init(text: group["description"] as? String ?? ""), .init(text: "\((group["security_group_rules"] as? [Any])?.count ?? 0)"),
            ], forms: session.canWrite && group["name"] as? String != "default" ? [
                .init(action: "/dashboard/project/security_groups/\(Self.segment(id))/delete", submit: "Delete", confirm: "Delete this security group?", danger: true),
            ] : [])
        }
        return try await render(session, ResourcePage(
            title: "Security Groups", section: "security_groups", columns: ["Name", "Description", "Rules"], rows: rows,
            forms: session.canWrite ? [.init(action: "/dashboard/project/security_groups/create", submit: "Create Security Group", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "description", label: "Description"),
            ])] : [], empty: "No security groups."
        ))
    }

    func rulesPage(_ session: DashboardSession, group id: String) async throws -> Response {
        let group = try await api.object("/networking/v2.0/security-groups/\(Self.segment(id))", "security_group", token: session.token)
        let rows = (group["security_group_rules"] as? [[String: Any]] ?? []).map { rule -> ResourcePage.Row in
            let ruleId = rule["id"] as? String ?? ""
            let low = rule["port_range_min"] as? Int, high = rule["port_range_max"] as? Int
            return ResourcePage.Row(cells: [
                .init(text: rule["direction"] as? String ?? ""), .init(text: rule["ethertype"] as? String ?? ""),
                .init(text: rule["protocol"] as? String ?? "any"), .init(text: low.map { low in high.map { $0 == low ? "\(low)" : "\(low)-\($0)" } ?? "\(low)" } ?? "any"),
                .init(text: rule["remote_ip_prefix"] as? String ?? (rule["remote_group_id"] as? String).map { "group \($0)" } ?? "any"),
            ], forms: session.canWrite ? [
                .init(action: "/dashboard/project/security_group_rules/\(Self.segment(ruleId))/delete", submit: "Delete Rule", hidden: [("group", id)], danger: true),
            ] : [])
        }
        return try await render(session, ResourcePage(
            title: "Rules of \(group["name"] as? String ?? id)", section: "security_groups",
            columns: ["Direction", "Ether Type", "Protocol", "Ports", "Remote"], rows: rows,
            forms: session.canWrite ? [.init(action: "/dashboard/project/security_groups/\(Self.segment(id))/add_rule", submit: "Add Rule", fields: [
                .init(name: "direction", label: "Direction", type: "select", value: "ingress", options: [("ingress", "Ingress"), ("egress", "Egress")]),
                .init(name: "protocol", label: "Protocol", type: "select", value: "tcp", options: [("tcp", "TCP"), ("udp", "UDP"), ("icmp", "ICMP"), ("", "Any")]),
                .init(name: "port_min", label: "From port", type: "number"), .init(name: "port_max", label: "To port", type: "number"),
                .init(name: "remote", label: "Remote CIDR", value: "0.0.0.0/0"),
            ])] : [], empty: "No rules.", back: ("All security groups", "/dashboard/project/security_groups")
        ))
    }

    func keyPairsPage(_ session: DashboardSession) async throws -> Response {
        let keys = try await api.list("/compute/v2.1/os-keypairs", "keypairs", token: session.token).compactMap { $0["keypair"] as? [String: Any] }
        let rows = keys.map { key -> ResourcePage.Row in
            let name = key["name"] as? String ?? ""
            return ResourcePage.Row(cells: [.init(text: name), .init(text: key["type"] as? String ?? "ssh"), .init(text: key["fingerprint"] as? String ?? "")], forms: session.canWrite ? [
                .init(action: "/dashboard/project/key_pairs/\(Self.segment(name))/delete", submit: "Delete", confirm: "Delete this key pair?", danger: true),
            ] : [])
        }
        return try await render(session, ResourcePage(
            title: "Key Pairs", section: "key_pairs", columns: ["Name", "Type", "Fingerprint"], rows: rows,
            forms: session.canWrite ? [.init(action: "/dashboard/project/key_pairs/create", submit: "Import Public Key", fields: [
                .init(name: "name", label: "Name", required: true), .init(name: "public_key", label: "Public key", type: "textarea", required: true),
            ])] : [], empty: "No key pairs."
        ))
    }

    static func bytes(_ size: Int?) -> String {
        guard let size else { return "" }
        return size >= 1 << 20 ? String(format: "%.1f MiB", Double(size) / Double(1 << 20)) : "\(size) B"
    }

    // MARK: Forms

    func create(_ session: DashboardSession, _ form: FormBody, kind: String) async throws -> Response {
        switch kind {
        case "volumes":
            guard let size = form.text("size").flatMap(Int.init), size > 0 else { throw DashboardError.badField("size", message: "The size is a whole number of GB, 1 or more.", back: "/dashboard/project/volumes") }
            var volume: [String: Any] = ["size": size, "name": form.text("name") ?? ""]
            if let image = form.text("image") { volume["imageRef"] = image }
            return try await apply(session, "POST", "/volume/v3/volumes", body: ["volume": volume], done: "Creating the volume.", back: "/dashboard/project/volumes")
        case "networks":
            guard let name = form.text("name") else { throw DashboardError.badField("name", message: "Give the network a name.", back: "/dashboard/project/networks") }
            let back = "/dashboard/project/networks"
            let network = try await api.call("POST", "/networking/v2.0/networks", token: session.token, body: ["network": ["name": name]])
            guard network.isSuccess, let id = (network.body["network"] as? [String: Any])?["id"] as? String else {
                try await sessions.notify(session.id, network.faultMessage, isError: true)
                return Self.redirect(back)
            }
            guard let cidr = form.text("cidr") else {
                try await sessions.notify(session.id, "Network \(name) created.")
                return Self.redirect(back)
            }
            let subnet = try await api.call("POST", "/networking/v2.0/subnets", token: session.token, body: [
                "subnet": ["network_id": id, "cidr": cidr, "ip_version": 4, "name": name + "-subnet"],
            ])
            guard subnet.isSuccess else {
                // The network goes with its subnet: nothing half made stays.
                _ = try await api.call("DELETE", "/networking/v2.0/networks/\(Self.segment(id))", token: session.token)
                try await sessions.notify(session.id, subnet.faultMessage, isError: true)
                return Self.redirect(back)
            }
            try await sessions.notify(session.id, "Network \(name) created with subnet \(cidr).")
            return Self.redirect(back)
        case "security_groups":
            guard let name = form.text("name") else { throw DashboardError.badField("name", message: "Give the security group a name.", back: "/dashboard/project/security_groups") }
            return try await apply(session, "POST", "/networking/v2.0/security-groups", body: [
                "security_group": ["name": name, "description": form.text("description") ?? ""],
            ], done: "Security group \(name) created.", back: "/dashboard/project/security_groups")
        case "key_pairs":
            let back = "/dashboard/project/key_pairs"
            guard let name = form.text("name") else { throw DashboardError.badField("name", message: "Give the key pair a name.", back: back) }
            guard let key = form.text("public_key") else { throw DashboardError.badField("public_key", message: "Paste the public key (one line, as in id_ed25519.pub).", back: back) }
            return try await apply(session, "POST", "/compute/v2.1/os-keypairs", body: ["keypair": ["name": name, "public_key": key]],
                                   done: "Key pair \(name) imported.", back: back)
        default:
            throw DashboardError.api(404, "There is nothing of kind '\(kind)' to create.")
        }
    }

    func change(_ session: DashboardSession, _ form: FormBody, kind: String, id: String, op: String) async throws -> Response {
        let item = Self.segment(id)
        switch (kind, op) {
        case ("volumes", "extend"):
            guard let size = form.text("size").flatMap(Int.init) else { throw DashboardError.badField("size", message: "The new size is a whole number of GB.", back: "/dashboard/project/volumes") }
            return try await apply(session, "POST", "/volume/v3/volumes/\(item)/action", body: ["os-extend": ["new_size": size]],
                                   headers: [("OpenStack-API-Version", "volume 3.42")], done: "Extending the volume.", back: "/dashboard/project/volumes")
        case ("volumes", "attach"):
            guard let server = form.text("server") else { throw DashboardError.badField("server", message: "Choose the instance.", back: "/dashboard/project/volumes") }
            return try await apply(session, "POST", "/compute/v2.1/servers/\(Self.segment(server))/os-volume_attachments",
                                   body: ["volumeAttachment": ["volumeId": id]], done: "Volume attached.", back: "/dashboard/project/volumes")
        case ("volumes", "detach"):
            guard let server = form.text("server") else { throw DashboardError.badField("server", message: "Name the instance.", back: "/dashboard/project/volumes") }
            return try await apply(session, "DELETE", "/compute/v2.1/servers/\(Self.segment(server))/os-volume_attachments/\(item)",
                                   done: "Detaching the volume.", back: "/dashboard/project/volumes")
        case ("volumes", "snapshot"):
            return try await apply(session, "POST", "/volume/v3/snapshots", body: ["snapshot": ["volume_id": id, "name": form.text("name") ?? "", "force": true]],
                                   done: "Creating the snapshot.", back: "/dashboard/project/volumes")
        case ("volumes", "delete"):
            return try await apply(session, "DELETE", "/volume/v3/volumes/\(item)", done: "Deleting the volume.", back: "/dashboard/project/volumes")
        case ("images", "edit"):
            let back = "/dashboard/project/images/\(item)"
            let image = try await api.object("/image/v2/images/\(item)", nil, token: session.token)
            return try await apply(session, "PATCH", "/image/v2/images/\(item)", body: try imagePatch(image, form, back: back),
                                   headers: [("Content-Type", "application/openstack-images-v2.1-json-patch")], done: "Image saved.", back: back)
        case ("images", "delete"):
            return try await apply(session, "DELETE", "/image/v2/images/\(item)", done: "Image deleted.", back: "/dashboard/project/images")
        case ("networks", "delete"):
            return try await apply(session, "DELETE", "/networking/v2.0/networks/\(item)", done: "Network deleted.", back: "/dashboard/project/networks")
        case ("security_groups", "delete"):
            return try await apply(session, "DELETE", "/networking/v2.0/security-groups/\(item)", done: "Security group deleted.", back: "/dashboard/project/security_groups")
        case ("security_groups", "add_rule"):
            var rule: [String: Any] = ["security_group_id": id, "direction": form.text("direction") ?? "ingress", "ethertype": "IPv4"]
            if let proto = form.text("protocol") { rule["protocol"] = proto }
            let back = "/dashboard/project/security_groups/\(item)"
            func port(_ field: String) throws -> Int? {
                guard let text = form.text(field) else { return nil }
                guard let port = Int(text), (1...65535).contains(port) else {
                    throw DashboardError.badField(field, message: "A port is a whole number from 1 to 65535.", back: back)
                }
                return port
            }
            if let low = try port("port_min") {
                let high = try port("port_max") ?? low
                guard high >= low else { throw DashboardError.badField("port_max", message: "The range ends at or above its first port.", back: back) }
                (rule["port_range_min"], rule["port_range_max"]) = (low, high)
            }
            if let remote = form.text("remote") { rule["remote_ip_prefix"] = remote }
            return try await apply(session, "POST", "/networking/v2.0/security-group-rules", body: ["security_group_rule": rule],
                                   done: "Rule added.", back: back)
        case ("security_group_rules", "delete"):
            return try await apply(session, "DELETE", "/networking/v2.0/security-group-rules/\(item)", done: "Rule deleted.",
                                   back: "/dashboard/project/security_groups/\(Self.segment(form.text("group") ?? ""))")
        case ("key_pairs", "delete"):
            return try await apply(session, "DELETE", "/compute/v2.1/os-keypairs/\(item)", done: "Key pair deleted.", back: "/dashboard/project/key_pairs")
        default:
            throw DashboardError.api(404, "There is no action '\(op)' on \(kind).")
        }
    }
}
