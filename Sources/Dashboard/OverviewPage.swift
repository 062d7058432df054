import Foundation
import Hummingbird

/// The project's overview: quota usage (instances, vCPUs, RAM, volumes, volume storage) as bars, and the compute
/// usage of a period (`os-simple-tenant-usage`; this month so far unless the page's form asks for other days, UTC).
extension Dashboard {
    func overview(_ session: DashboardSession, from: Substring?, to: Substring?) async throws -> Response {
        async let compute = api.object("/compute/v2.1/limits", "limits", token: session.token)
        async let volume = api.object("/volume/v3/limits", "limits", token: session.token)
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let day = DateFormatter()
        (day.calendar, day.timeZone, day.locale, day.dateFormat) = (utc, utc.timeZone, Locale(identifier: "en_US_POSIX"), "yyyy-MM-dd")
        let now = Date()
        var errors: [String: Any] = [:]
        func date(_ text: Substring?, field: String) -> Date? {
            guard let text, !text.isEmpty else { return nil }
            guard let date = day.date(from: String(text)) else {
                errors["error_" + field] = "A day is written YYYY-MM-DD."
                return nil
            }
            return date
        }
        var start = date(from, field: "start") ?? utc.date(from: utc.dateComponents([.year, .month], from: now)) ?? now
        // The last day counts whole, but no further than now.
        var end = date(to, field: "end").flatMap { utc.date(byAdding: .day, value: 1, to: $0) }.map { min($0, now) } ?? now
        if start >= end {
            errors["error_end"] = "The period ends after it starts (and not in the future)."
            (start, end) = (utc.date(from: utc.dateComponents([.year, .month], from: now)) ?? now, now)
        }
        let format = { (date: Date) in String(ISO8601DateFormatter().string(from: date).dropLast()) }
        let usage = try await api.object(
            "/compute/v2.1/os-simple-tenant-usage/\(Self.segment(session.projectId))?start=\(format(start))&end=\(format(end))", "tenant_usage",
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
        let lastDay = utc.date(byAdding: .second, value: -1, to: end) ?? end
        let body = Templates.render(templates, "overview", errors.merging([
            "bars": bars, "start": day.string(from: start), "end": day.string(from: lastDay),
            "instanceHours": hours("total_hours"), "vcpuHours": hours("total_vcpus_usage"),
            "ramHours": hours("total_memory_mb_usage"), "diskHours": hours("total_local_gb_usage"),
            "servers": (usage["server_usages"] as? [[String: Any]] ?? []).map { server in
                ["name": server["name"] as? String ?? "", "flavor": server["flavor"] as? String ?? "", "state": server["state"] as? String ?? "",
                 "hours": String(format: "%.2f", server["hours"] as? Double ?? 0)]
            },
        ]) { $1 })
        return Self.html(await layout(session, title: "Overview", section: "overview", body: body), status: .ok)
    }
}
