import Foundation
import Hummingbird

/// The project's overview: quota usage (instances, vCPUs, RAM, volumes, volume storage) as bars, and the compute
/// usage of this month so far (`os-simple-tenant-usage`).
extension Dashboard {
    func overview(_ session: DashboardSession) async throws -> Response {
        async let compute = api.object("/compute/v2.1/limits", "limits", token: session.token)
        async let volume = api.object("/volume/v3/limits", "limits", token: session.token)
        let calendar = Calendar(identifier: .gregorian)
        var utc = calendar
        utc.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        let start = utc.date(from: utc.dateComponents([.year, .month], from: now)) ?? now
        let format = { (date: Date) in String(ISO8601DateFormatter().string(from: date).dropLast()) }
        let usage = try await api.object(
            "/compute/v2.1/os-simple-tenant-usage/\(Self.segment(session.projectId))?start=\(format(start))&end=\(format(now))", "tenant_usage",
            token: session.token
        )
        let computeLimits = try await compute["absolute"] as? [String: Any] ?? [:]
        let volumeLimits = try await volume["absolute"] as? [String: Any] ?? [:]
        func bar(_ label: String, _ used: Any?, _ limit: Any?, unit: String = "") -> [String: Any] {
            let used = used as? Int ?? 0, limit = limit as? Int ?? -1
            let percent = limit > 0 ? min(100, used * 100 / limit) : 0
            return [
                "label": label, "used": "\(used)\(unit)", "limit": limit < 0 ? "unlimited" : "\(limit)\(unit)", "percent": percent,
                "full": limit >= 0 && used >= limit,
            ]
        }
        let bars = [
            bar("Instances", computeLimits["totalInstancesUsed"], computeLimits["maxTotalInstances"]),
            bar("vCPUs", computeLimits["totalCoresUsed"], computeLimits["maxTotalCores"]),
            bar("RAM", computeLimits["totalRAMUsed"], computeLimits["maxTotalRAMSize"], unit: " MB"),
            bar("Volumes", volumeLimits["totalVolumesUsed"], volumeLimits["maxTotalVolumes"]),
            bar("Volume storage", volumeLimits["totalGigabytesUsed"], volumeLimits["maxTotalVolumeGigabytes"], unit: " GB"),
        ]
        let hours = { (key: String) in String(format: "%.2f", usage[key] as? Double ?? Double(usage[key] as? Int ?? 0)) }
        let body = Templates.render(templates, "overview", [
            "bars": bars, "since": format(start).prefix(10), "instanceHours": hours("total_hours"), "vcpuHours": hours("total_vcpus_usage"),
            "ramHours": hours("total_memory_mb_usage"), "diskHours": hours("total_local_gb_usage"),
            "servers": (usage["server_usages"] as? [[String: Any]] ?? []).map { server in
                ["name": server["name"] as? String ?? "", "flavor": server["flavor"] as? String ?? "", "state": server["state"] as? String ?? "",
                 "hours": String(format: "%.2f", server["hours"] as? Double ?? 0)]
            },
        ])
        return Self.html(layout(session, title: "Overview", section: "overview", body: body), status: .ok)
    }
}
