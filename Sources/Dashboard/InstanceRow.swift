import Foundation

/// One server as the instances table and the detail page show it, from the compute API's server view (2.79), and the
/// actions its state allows (Horizon's rules: none while a task runs, but delete).
struct InstanceRow {
    let server: [String: Any]
    let imageNames: [String: String]
    let now: Date

    var id: String { server["id"] as? String ?? "" }
    var status: String { server["status"] as? String ?? "UNKNOWN" }
    var task: String? { server["OS-EXT-STS:task_state"] as? String }
    var locked: Bool { server["locked"] as? Bool ?? false }

    /// Nova's power states by number.
    static let powerStates = [0: "No State", 1: "Running", 3: "Paused", 4: "Shut Down", 6: "Crashed", 7: "Suspended"]

    /// Whether the row is on its way somewhere (the page refreshes it until it is not).
    var isBusy: Bool { task != nil || ["BUILD", "REBOOT", "HARD_REBOOT", "RESIZE", "MIGRATING", "REBUILD"].contains(status) }

    var addresses: [String] {
        let networks = server["addresses"] as? [String: Any] ?? [:]
        return networks.keys.sorted().flatMap { name in
            (networks[name] as? [[String: Any]] ?? []).compactMap { $0["addr"] as? String }
        }
    }

    var imageName: String {
        guard let image = server["image"] as? [String: Any], let id = image["id"] as? String else { return "(volume)" }
        return imageNames[id] ?? id
    }

    var age: String {
        guard let created = (server["created"] as? String).flatMap(Dashboard.parseTime) else { return "" }
        let seconds = max(0, Int(now.timeIntervalSince(created)))
        switch seconds {
        case ..<60: return "\(seconds) s"
        case ..<3600: return "\(seconds / 60) min"
        case ..<86400: return "\(seconds / 3600) h \(seconds % 3600 / 60) min"
        default: return "\(seconds / 86400) d \(seconds % 86400 / 3600) h"
        }
    }

    /// The actions the server's state allows now, by the name the form posts.
    var actions: [String] {
        guard task == nil else { return ["delete"] }
        var actions: [String]
        switch status {
        case "ACTIVE": actions = ["stop", "reboot", "pause", "suspend", "shelve"]
        case "SHUTOFF": actions = ["start", "shelve"]
        case "PAUSED": actions = ["unpause", "shelve"]
        case "SUSPENDED": actions = ["resume", "shelve"]
        case "SHELVED", "SHELVED_OFFLOADED": actions = ["unshelve"]
        case "VERIFY_RESIZE": actions = ["confirm", "revert"]
        case "ERROR": actions = ["reboot"]
        default: actions = []
        }
        actions.append(locked ? "unlock" : "lock")
        return actions + ["delete"]
    }

    /// The template's view of the row.
    func view(canWrite: Bool) -> [String: Any] {
        let flavor = server["flavor"] as? [String: Any] ?? [:]
        var view: [String: Any] = [
            "id": id, "name": server["name"] as? String ?? "", "image": imageName, "addresses": addresses.joined(separator: ", "),
            "flavor": flavor["original_name"] as? String ?? "", "key": server["key_name"] as? String ?? "", "status": status,
            "statusClass": status.lowercased(), "task": task ?? "", "power": Self.powerStates[server["OS-EXT-STS:power_state"] as? Int ?? 0] ?? "",
            "age": age, "busy": isBusy, "locked": locked, "zone": server["OS-EXT-AZ:availability_zone"] as? String ?? "",
            "actions": canWrite ? actions.map { ["name": $0, "label": Self.labels[$0] ?? $0, "danger": $0 == "delete"] } : [],
            "hasActions": canWrite && !actions.isEmpty,
            // A snapshot, a resize and a rebuild need more than a click: forms of their own on the instance's page.
            "canChange": canWrite && task == nil && ["ACTIVE", "SHUTOFF"].contains(status),
        ]
        // Sections the template shows only when there is something: left out otherwise (an empty string is a value to
        // swift-mustache).
        if let host = server["OS-EXT-SRV-ATTR:host"] as? String, !host.isEmpty { view["host"] = host }
        if let fault = (server["fault"] as? [String: Any])?["message"] as? String, !fault.isEmpty { view["fault"] = fault }
        return view
    }

    static let labels = [
        "start": "Start", "stop": "Shut Off", "reboot": "Reboot", "pause": "Pause", "unpause": "Resume", "suspend": "Suspend", "resume": "Resume",
        "shelve": "Shelve", "unshelve": "Unshelve", "snapshot": "Create Snapshot", "confirm": "Confirm Resize", "revert": "Revert Resize",
        "lock": "Lock", "unlock": "Unlock", "delete": "Delete",
    ]

    /// The body of `POST /servers/{id}/action` for an action the form posted (delete is a DELETE of its own).
    static func actionBody(_ action: String, form: FormBody, back: String) throws -> [String: Any] {
        switch action {
        case "start": return ["os-start": NSNull()]
        case "stop": return ["os-stop": NSNull()]
        case "reboot": return ["reboot": ["type": form["hard"] == "1" ? "HARD" : "SOFT"]]
        case "pause", "unpause", "suspend", "resume", "shelve", "unshelve", "lock", "unlock": return [action: NSNull()]
        case "confirm": return ["confirmResize": NSNull()]
        case "revert": return ["revertResize": NSNull()]
        case "snapshot":
            guard let name = form.text("snapshot_name") else { throw DashboardError.badField("snapshot_name", message: "Give the snapshot a name.", back: back) }
            return ["createImage": ["name": name]]
        case "resize":
            guard let flavor = form.text("flavor") else { throw DashboardError.badField("flavor", message: "Choose the new flavor.", back: back) }
            return ["resize": ["flavorRef": flavor]]
        case "rebuild":
            guard let image = form.text("image") else { throw DashboardError.badField("image", message: "Choose the image to rebuild from.", back: back) }
            return ["rebuild": ["imageRef": image]]
        default: throw DashboardError.api(404, "There is no action '\(action)'.")
        }
    }
}
