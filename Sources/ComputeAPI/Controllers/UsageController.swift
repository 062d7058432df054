import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `os-simple-tenant-usage`: the hours, vCPU-, memory- and disk-hours each project's instances used in a period.
/// Deleted instances count for the time they existed; instances never launched count for nothing.
struct UsageController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-simple-tenant-usage", use: list)
        group.get("os-simple-tenant-usage/{project}", use: show)
    }

    /// One project's usage, with its servers' when `detailed`.
    struct TenantUsage {
        var projectId: ProjectID
        var servers: [JSONValue] = []
        var hours = 0.0
        var localGBHours = 0.0
        var vcpuHours = 0.0
        var memoryMBHours = 0.0

        mutating func add(_ server: JSONValue, hours: Double, flavor: InstanceFlavor) {
            servers.append(server)
            self.hours += hours
            localGBHours += Double(flavor.rootGB + flavor.ephemeralGB) * hours
            vcpuHours += Double(flavor.vcpus) * hours
            memoryMBHours += Double(flavor.memoryMB) * hours
        }

        func view(_ period: Period, detailed: Bool) -> JSONValue {
            var fields: [String: JSONValue] = [
                "tenant_id": .string(projectId.rawValue), "start": ServerView.usageTime(period.start), "stop": ServerView.usageTime(period.end),
                "total_hours": .number(hours), "total_local_gb_usage": .number(localGBHours), "total_vcpus_usage": .number(vcpuHours),
                "total_memory_mb_usage": .number(memoryMBHours),
            ]
            if detailed { fields["server_usages"] = .array(servers) }
            return .object(fields)
        }
    }

    /// The report's period, from the `start` and `end` query parameters (now when absent).
    struct Period {
        var start: Timestamp
        var end: Timestamp

        init(_ query: Parameters, now: Timestamp) throws {
            start = try query["start"].map { try Self.parse(String($0)) } ?? now
            end = try query["end"].map { try Self.parse(String($0)) } ?? now
            guard start < end || (query["start"] == nil && query["end"] == nil) else {
                throw StratusError.badRequest("Invalid start time. The start time cannot occur after the end time.")
            }
        }

        /// Nova's formats (`2024-01-31T10:00:00`, with `.ffffff`, or with a space for the `T`); a zone suffix is accepted.
        static func parse(_ text: String) throws -> Timestamp {
            var normalized = text.trimmingCharacters(in: .whitespaces)
            if normalized.count > 10 {
                let index = normalized.index(normalized.startIndex, offsetBy: 10)
                if normalized[index] == " " || normalized[index] == "+" { normalized.replaceSubrange(index...index, with: "T") }
            }
            if !normalized.hasSuffix("Z"), normalized.range(of: #"[+-]\d\d:?\d\d$"#, options: .regularExpression) == nil { normalized += "Z" }
            guard let time = Timestamp(iso8601: normalized) else {
                throw StratusError.badRequest("Invalid datetime string: Datetime is in invalid format")
            }
            return time
        }

        /// The hours of `instance`'s life inside the period (Nova's `_hours_for`).
        func hours(of instance: Instance) -> Double {
            guard let launched = instance.launchedAt else { return 0 }
            let from = max(launched, start)
            let to = instance.terminatedAt.map { min($0, end) } ?? end
            return max(0, Double(to.rawValue - from.rawValue) / 3_600_000_000)
        }
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-simple-tenant-usage:list")
        // Nova takes `1`; openstacksdk sends `True`.
        let detailed = request.uri.queryParameters["detailed"].map { ["1", "true"].contains($0.lowercased()) } ?? false
        let (period, usages, links) = try await report(request, context: context, project: nil)
        var body: [String: JSONValue] = ["tenant_usages": .array(usages.map { $0.view(period, detailed: detailed) })]
        if let links { body["tenant_usages_links"] = links }
        return try JSONResponse.make(JSONValue.object(body))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let project = ProjectID(try context.parameters.require("project"))
        guard auth.isAdmin || auth.projectId == project else { throw ComputeFault.policy("os_compute_api:os-simple-tenant-usage:show") }
        let (period, usages, links) = try await report(request, context: context, project: project)
        var body: [String: JSONValue] = ["tenant_usage": usages.first?.view(period, detailed: true) ?? .object([:])]
        if let links { body["tenant_usage_links"] = links }
        return try JSONResponse.make(JSONValue.object(body))
    }

    /// Each project's usage in the period, in order of first instance; paginated by instance (2.40+) with the next link.
    private func report(
        _ request: Request, context: StratusRequestContext, project: ProjectID?
    ) async throws -> (period: Period, usages: [TenantUsage], links: JSONValue?) {
        let query = request.uri.queryParameters
        let now = api.now
        let period = try Period(query, now: now)
        var instances = try await api.backend.usage.instances(activeFrom: period.start, to: period.end, project: project)
        var links: JSONValue?
        if context.apiVersion >= APIVersion(2, 40) {
            let page = try Pagination(query: query, ids: instances.map(\.id.rawValue))
            instances = Array(instances[page.range])
            if let next = page.nextMarker {
                let path = "/v2.1/os-simple-tenant-usage" + (project.map { "/\($0.rawValue)" } ?? "")
                links = Pagination.nextLink(api.baseURL + path, query: query, marker: next)
            }
        }
        var order: [ProjectID] = []
        var usages: [ProjectID: TenantUsage] = [:]
        for instance in instances {
            let hours = period.hours(of: instance)
            let localGB = instance.flavor.rootGB + instance.flavor.ephemeralGB
            let launched = instance.launchedAt ?? instance.createdAt
            let state = instance.terminatedAt == nil ? instance.vmState.rawValue : "terminated"
            let uptime = ((instance.terminatedAt ?? now).rawValue - launched.rawValue) / 1_000_000
            let server: JSONValue = .object([
                "instance_id": .string(instance.id.rawValue), "name": .string(instance.name), "tenant_id": .string(instance.projectId.rawValue),
                "flavor": .string(instance.flavor.name), "hours": .number(hours), "vcpus": .number(Double(instance.flavor.vcpus)),
                "memory_mb": .number(Double(instance.flavor.memoryMB)), "local_gb": .number(Double(localGB)),
                "started_at": ServerView.usageTime(launched), "ended_at": ServerView.usageTime(instance.terminatedAt),
                "state": .string(state), "uptime": .number(Double(uptime)),
            ])
            let owner = instance.projectId
            if usages[owner] == nil { order.append(owner) }
            usages[owner, default: TenantUsage(projectId: owner)].add(server, hours: hours, flavor: instance.flavor)
        }
        return (period, order.compactMap { usages[$0] }, links)
    }
}
