import Foundation
import Hummingbird

/// Launch instance: Horizon's launch form in one page. Checked field by field first; then the compute API decides,
/// and its fault, if any, is shown above the form as it said it.
extension Dashboard {
    func launchPage(_ session: DashboardSession, form: FormBody?, errors: [String: String], status: HTTPResponse.Status = .ok) async throws -> Response {
        let token = session.token
        async let images = api.list("/image/v2/images?limit=1000", "images", token: token)
        async let flavors = api.list("/compute/v2.1/flavors/detail", "flavors", token: token)
        async let networks = api.list("/networking/v2.0/networks", "networks", token: token)
        async let groups = api.list("/networking/v2.0/security-groups?project_id=\(Self.segment(session.projectId))", "security_groups", token: token)
        async let keys = api.list("/compute/v2.1/os-keypairs", "keypairs", token: token)
        async let zones = api.list("/compute/v2.1/os-availability-zone", "availabilityZoneInfo", token: token)
        async let serverGroups = api.list("/compute/v2.1/os-server-groups", "server_groups", token: token)
        async let volumes = api.list("/volume/v3/volumes/detail", "volumes", token: token)
        async let limits = api.object("/compute/v2.1/limits", "limits", token: token)
        let absolute = try await limits["absolute"] as? [String: Any] ?? [:]
        func left(_ max: String, _ used: String) -> Int? {
            guard let limit = absolute[max] as? Int, limit >= 0 else { return nil }
            return limit - (absolute[used] as? Int ?? 0)
        }
        let instancesLeft = left("maxTotalInstances", "totalInstancesUsed"), coresLeft = left("maxTotalCores", "totalCoresUsed")
        let ramLeft = left("maxTotalRAMSize", "totalRAMUsed")
        let chosen = { (name: String) in Set(form?.all(name) ?? []) }
        var context: [String: Any] = [
            "csrf": session.csrf,
            "name": form?["name"] ?? "", "count": form?["count"] ?? "1", "userData": form?["user_data"] ?? "",
            "configDrive": form?["config_drive"] == "1", "sourceVolume": form?["source"] == "volume",
            "images": try await images.filter { $0["status"] as? String == "active" }.map { image in
                option(image["id"], image["name"], chosen("image"))
            },
            "volumes": try await volumes.filter { $0["bootable"] as? String == "true" && $0["status"] as? String == "available" }.map { volume in
                option(volume["id"], volume["name"] as? String == "" ? volume["id"] : volume["name"], chosen("volume"))
            },
            "flavors": try await flavors.map { flavor -> [String: Any] in
                let vcpus = flavor["vcpus"] as? Int ?? 0, ram = flavor["ram"] as? Int ?? 0
                var leaves: [String] = []
                if let instancesLeft { leaves.append("\(instancesLeft - 1) instances") }
                if let coresLeft { leaves.append("\(coresLeft - vcpus) vCPUs") }
                if let ramLeft { leaves.append("\(ramLeft - ram) MB RAM") }
                let fits = (instancesLeft ?? 1) >= 1 && (coresLeft ?? vcpus) >= vcpus && (ramLeft ?? ram) >= ram
                var entry = option(flavor["id"], flavor["name"], chosen("flavor"))
                entry["detail"] = "\(vcpus) vCPU, \(ram) MB RAM, \(flavor["disk"] as? Int ?? 0) GB disk"
                entry["leaves"] = leaves.isEmpty ? "no quota limit" : (fits ? "leaves " : "over quota: ") + leaves.joined(separator: ", ")
                entry["fits"] = fits
                return entry
            },
            "networks": try await networks.map { option($0["id"], $0["name"], chosen("network")) },
            "networkAuto": form == nil || chosen("network").contains("auto"), "networkNone": chosen("network").contains("none"),
            "groups": try await groups.map { group in
                option(group["name"], group["name"], form == nil ? ["default"] : chosen("security_group"))
            },
            "keys": try await keys.compactMap { $0["keypair"] as? [String: Any] }.map { option($0["name"], $0["name"], chosen("key_name")) },
            "zones": try await zones.filter { (($0["zoneState"] as? [String: Any])?["available"] as? Bool) == true }.map {
                option($0["zoneName"], $0["zoneName"], chosen("availability_zone"))
            },
            "serverGroups": try await serverGroups.map { option($0["id"], $0["name"], chosen("server_group")) },
        ]
        for (field, message) in errors { context["error_" + field] = message }
        let body = Templates.render(templates, "launch", context)
        return Self.html(await layout(session, title: "Launch Instance", section: "launch", body: body), status: status)
    }

    private func option(_ value: Any?, _ label: Any?, _ chosen: Set<String>) -> [String: Any] {
        let value = value as? String ?? ""
        return ["value": value, "label": label as? String ?? value, "selected": chosen.contains(value)]
    }

    func launch(_ session: DashboardSession, _ form: FormBody) async throws -> Response {
        var errors: [String: String] = [:]
        let name = form.text("name")
        if name == nil { errors["name"] = "Give the instance a name." }
        let count = Int(form.text("count") ?? "1")
        if count == nil || !(1...100).contains(count!) { errors["count"] = "The count is a whole number from 1 to 100." }
        let fromVolume = form["source"] == "volume"
        let source = fromVolume ? form.text("volume") : form.text("image")
        if source == nil { errors["source"] = fromVolume ? "Choose a bootable volume." : "Choose an image." }
        let flavor = form.text("flavor")
        if flavor == nil { errors["flavor"] = "Choose a flavor." }
        guard errors.isEmpty, let name, let count, let source, let flavor else {
            return try await launchPage(session, form: form, errors: errors, status: .badRequest)
        }
        var server: [String: Any] = ["name": name, "flavorRef": flavor, "min_count": count, "max_count": count]
        if fromVolume {
            server["block_device_mapping_v2"] = [["boot_index": 0, "uuid": source, "source_type": "volume", "destination_type": "volume"]]
        } else {
            server["imageRef"] = source
        }
        let networks = form.all("network").filter { !$0.isEmpty }
        if networks.isEmpty || networks.contains("auto") {
            server["networks"] = "auto"
        } else if networks.contains("none") {
            server["networks"] = "none"
        } else {
            server["networks"] = networks.map { ["uuid": $0] }
        }
        let groups = form.all("security_group").filter { !$0.isEmpty }
        if !groups.isEmpty { server["security_groups"] = groups.map { ["name": $0] } }
        if let key = form.text("key_name") { server["key_name"] = key }
        if let userData = form["user_data"], !userData.isEmpty { server["user_data"] = Data(userData.utf8).base64EncodedString() }
        if form["config_drive"] == "1" { server["config_drive"] = true }
        if let zone = form.text("availability_zone") { server["availability_zone"] = zone }
        var body: [String: Any] = ["server": server]
        if let group = form.text("server_group") { body["os:scheduler_hints"] = ["group": group] }
        let reply = try await api.call("POST", "/compute/v2.1/servers", token: session.token, body: body)
        if reply.status == 401 { throw DashboardError.api(401, reply.faultMessage) }
        guard reply.isSuccess else { return try await launchPage(session, form: form, errors: ["form": reply.faultMessage], status: .badRequest) }
        try await sessions.notify(session.id, "Launching \(count == 1 ? "instance \"\(name)\"" : "\(count) instances named \"\(name)\"").")
        return Self.redirect("/dashboard/project/instances")
    }
}
