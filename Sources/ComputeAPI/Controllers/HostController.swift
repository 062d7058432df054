import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Messaging
import ServiceClients
import StratusCore

/// The admin's view of the hosts: `os-hypervisors`, `os-services`, and `os-availability-zone`.
struct HostController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("os-hypervisors", use: hypervisors)
        group.get("os-hypervisors/detail", use: hypervisorDetails)
        group.get("os-hypervisors/statistics", use: statistics)
        group.get("os-hypervisors/{id}", use: hypervisor)
        group.get("os-hypervisors/{id}/uptime", use: uptime)
        group.get("os-services", use: services)
        group.put("os-services/{id}", use: updateService)
        group.delete("os-services/{id}", use: deleteService)
        group.get("os-availability-zone", use: zones)
        group.get("os-availability-zone/detail", use: zoneDetails)
    }

    func hypervisorView(_ node: ComputeNode, version: APIVersion, detailed: Bool) -> JSONValue {
        var view: [String: JSONValue] = [
            "id": .string(node.id.rawValue), "hypervisor_hostname": .string(node.host),
            "state": .string(api.isUp(node) ? "up" : "down"), "status": .string(node.disabled ? "disabled" : "enabled"),
        ]
        guard detailed else { return .object(view) }
        view["host_ip"] = .string("127.0.0.1")
        view["hypervisor_type"] = .string(node.hypervisorType)
        view["hypervisor_version"] = .number(Double(node.hypervisorVersion))
        view["service"] = .object([
            "host": .string(node.host), "id": .string(node.id.rawValue), "disabled_reason": node.disabledReason.map(JSONValue.string) ?? .null,
        ])
        if version < APIVersion(2, 88) {
            view["vcpus"] = .number(Double(node.vcpus))
            view["memory_mb"] = .number(Double(node.memoryMB))
            view["local_gb"] = .number(Double(node.diskGB))
            view["vcpus_used"] = .number(Double(node.vcpusUsed))
            view["memory_mb_used"] = .number(Double(node.memoryMBUsed))
            view["local_gb_used"] = .number(Double(node.diskGBUsed))
            view["free_ram_mb"] = .number(Double(node.memoryMB - node.memoryMBUsed))
            view["free_disk_gb"] = .number(Double(node.diskGB - node.diskGBUsed))
            view["running_vms"] = .number(Double(node.instanceCount))
            view["current_workload"] = .number(0)
            view["disk_available_least"] = .number(Double(node.diskGB - node.diskGBUsed))
            // Nova's libvirt driver says QEMU for TCG and KVM alike; the accelerator (tcg or kvm) tells them apart.
            var cpuInfo = ["arch": node.cpuArchitecture]
            if let accelerator = node.accelerator { cpuInfo["accelerator"] = accelerator }
            // An object from 2.28, a JSON text before.
            if version >= APIVersion(2, 28) {
                view["cpu_info"] = .object(cpuInfo.mapValues { .string($0) })
            } else {
                let fields = cpuInfo.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \"\($0.value)\"" }
                view["cpu_info"] = .string("{" + fields.joined(separator: ", ") + "}")
            }
        } else {
            view["uptime"] = .null
        }
        return .object(view)
    }

    @Sendable func hypervisors(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await hypervisorList(request, context: context, detailed: false)
    }

    @Sendable func hypervisorDetails(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await hypervisorList(request, context: context, detailed: true)
    }

    private func hypervisorList(_ request: Request, context: StratusRequestContext, detailed: Bool) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-hypervisors:list")
        var nodes = try await api.repository.computeNodes()
        if let pattern = request.uri.queryParameters["hypervisor_hostname_pattern"].map(String.init) {
            nodes = nodes.filter { $0.host.contains(pattern) }
        }
        let page = try Pagination(query: request.uri.queryParameters, ids: nodes.map(\.id.rawValue))
        var body: [String: JSONValue] = ["hypervisors": .array(nodes[page.range].map { hypervisorView($0, version: context.apiVersion, detailed: detailed) })]
        if let next = page.nextMarker, context.apiVersion >= APIVersion(2, 33) {
            body["hypervisors_links"] = .array([.object(["rel": .string("next"), "href": .string(api.baseURL + "/v2.1/os-hypervisors\(detailed ? "/detail" : "")?limit=\(page.limit!)&marker=\(next)")])])
        }
        return try JSONResponse.make(JSONValue.object(body))
    }

    @Sendable func hypervisor(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-hypervisors:show")
        let id = try context.parameters.require("id")
        guard let node = try await api.repository.computeNode(id: ComputeNodeID(id)) else {
            throw ComputeFault.notFound("Hypervisor \(id.prefix(64)) could not be found.")
        }
        return try JSONResponse.make(JSONValue.object(["hypervisor": hypervisorView(node, version: context.apiVersion, detailed: true)]))
    }

    /// The host's `uptime` line, from its compute service (removed in 2.88, where `uptime` is in the hypervisor).
    @Sendable func uptime(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-hypervisors:uptime")
        guard context.apiVersion < APIVersion(2, 88) else { throw ComputeFault.notFound("The uptime API was removed in 2.88.") }
        let id = try context.parameters.require("id")
        guard let node = try await api.repository.computeNode(id: ComputeNodeID(id)) else {
            throw ComputeFault.notFound("Hypervisor \(id.prefix(64)) could not be found.")
        }
        let uptime: String
        do {
            try await api.requireUp(node.host)
            uptime = try await api.computeRPC.uptime(of: node.host)
        } catch let fault as RemoteFault {
            throw StratusError.conflict("The uptime of hypervisor \(node.host) is not available: \(fault.message)")
        }
        guard case .object(var view) = hypervisorView(node, version: context.apiVersion, detailed: false) else { preconditionFailure() }
        view["uptime"] = .string(uptime)
        return try JSONResponse.make(JSONValue.object(["hypervisor": .object(view)]))
    }

    @Sendable func statistics(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-hypervisors:statistics")
        guard context.apiVersion < APIVersion(2, 88) else { throw ComputeFault.notFound("The statistics API was removed in 2.88.") }
        let nodes = try await api.repository.computeNodes()
        func sum(_ value: (ComputeNode) -> Int) -> JSONValue { .number(Double(nodes.map(value).reduce(0, +))) }
        return try JSONResponse.make(JSONValue.object(["hypervisor_statistics": .object([
            "count": .number(Double(nodes.count)), "vcpus": sum(\.vcpus), "vcpus_used": sum(\.vcpusUsed), "memory_mb": sum(\.memoryMB),
            "memory_mb_used": sum(\.memoryMBUsed), "free_ram_mb": sum { $0.memoryMB - $0.memoryMBUsed }, "local_gb": sum(\.diskGB),
            "local_gb_used": sum(\.diskGBUsed), "free_disk_gb": sum { $0.diskGB - $0.diskGBUsed }, "running_vms": sum(\.instanceCount),
            "current_workload": .number(0), "disk_available_least": sum { $0.diskGB - $0.diskGBUsed },
        ])]))
    }

    @Sendable func services(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-services:list")
        let query = request.uri.queryParameters
        let nodes = try await api.repository.computeNodes()
        var services: [JSONValue] = nodes.filter { node in
            query["host"].map { node.host == String($0) } ?? true
        }.map { serviceView($0, version: context.apiVersion) }
        if let binary = query["binary"].map(String.init) {
            services = services.filter { if case .object(let fields) = $0 { return fields["binary"] == .string(binary) } else { return false } }
        }
        return try JSONResponse.make(JSONValue.object(["services": .array(services)]))
    }

    /// A compute host's service; `forced_down` shows from 2.11, as Nova's.
    func serviceView(_ node: ComputeNode, version: APIVersion) -> JSONValue {
        var view: [String: JSONValue] = [
            "id": .string(node.id.rawValue), "binary": .string("nova-compute"), "host": .string(node.host), "zone": .string(node.availabilityZone),
            "status": .string(node.disabled ? "disabled" : "enabled"), "state": .string(api.isUp(node) ? "up" : "down"),
            "updated_at": .string(node.lastHeartbeat.iso8601Microseconds), "disabled_reason": node.disabledReason.map(JSONValue.string) ?? .null,
        ]
        if version >= APIVersion(2, 11) { view["forced_down"] = .bool(node.forcedDown) }
        return .object(view)
    }

    func service(_ context: StratusRequestContext, action: String) async throws -> ComputeNode {
        try context.requireAuth().requireAdmin(action)
        guard context.apiVersion >= APIVersion(2, 53) else {
            throw ComputeFault.notFound("Services are addressed by id since microversion 2.53.")
        }
        let id = try context.parameters.require("id")
        guard let node = try await api.repository.computeNode(id: ComputeNodeID(id)) else {
            throw ComputeFault.notFound("Service \(id.prefix(64)) could not be found.")
        }
        return node
    }

    /// Disables a host for new instances (with a reason), enables it, or forces it down: by service id from 2.53, by
    /// action name (`disable`, `enable`, `disable-log-reason`, `force-down`) with host and binary in the body before.
    @Sendable func updateService(_ request: Request, context: StratusRequestContext) async throws -> Response {
        guard context.apiVersion >= APIVersion(2, 53) else { return try await serviceAction(request, context: context) }
        let node = try await service(context, action: "os_compute_api:os-services:update")
        var request = request
        var body = BodyReader(try await request.jsonObject(context: context), path: "service")
        let status = try body.string("status")
        if let status, !["enabled", "disabled"].contains(status) {
            throw StratusError.badRequest("Invalid input for field/attribute status. Value: \(status.prefix(32)). It must be 'enabled' or 'disabled'")
        }
        let reason = try body.string("disabled_reason")
        let forced = try body.bool("forced_down")
        try body.finish()
        let changed = try await change(node, disabled: status.map { $0 == "disabled" }, reason: reason, forcedDown: forced)
        return try JSONResponse.make(JSONValue.object(["service": serviceView(changed, version: context.apiVersion)]))
    }

    /// The one way the admin's switches of a service change: a status (which drops the old reason), a reason (only
    /// while disabled), forced down.
    func change(_ node: ComputeNode, disabled: Bool?, reason: String?, forcedDown: Bool?) async throws -> ComputeNode {
        var node = node
        if let disabled {
            node.disabled = disabled
            node.disabledReason = nil
        }
        if let reason {
            guard node.disabled else { throw StratusError.badRequest("Specifying 'disabled_reason' with status 'enabled' is invalid.") }
            node.disabledReason = reason
        }
        if let forcedDown { node.forcedDown = forcedDown }
        node.updatedAt = Timestamp(api.clock.now())
        try await api.repository.updateService(node)
        return node
    }

    /// Removes a compute host's record; refused while instances are placed on it.
    @Sendable func deleteService(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let node = try await service(context, action: "os_compute_api:os-services:delete")
        guard try await api.repository.instances(host: node.host).isEmpty else {
            throw StratusError.conflict("Unable to delete compute service that has in-progress or existing instances.")
        }
        _ = try await api.repository.deleteComputeNode(host: node.host)
        return JSONResponse.empty()
    }

    @Sendable func zones(_ request: Request, context: StratusRequestContext) async throws -> Response {
        _ = try context.requireAuth()
        let zones = Set(try await api.repository.computeNodes().map(\.availabilityZone))
        return try JSONResponse.make(JSONValue.object(["availabilityZoneInfo": .array(zones.sorted().map {
            .object(["zoneName": .string($0), "zoneState": .object(["available": .bool(true)]), "hosts": .null])
        })]))
    }

    @Sendable func zoneDetails(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try context.requireAuth().requireAdmin("os_compute_api:os-availability-zone:detail")
        let nodes = try await api.repository.computeNodes()
        let zones = Dictionary(grouping: nodes, by: \.availabilityZone)
        return try JSONResponse.make(JSONValue.object(["availabilityZoneInfo": .array(zones.keys.sorted().map { zone in
            .object([
                "zoneName": .string(zone), "zoneState": .object(["available": .bool(true)]),
                "hosts": .object(Dictionary(uniqueKeysWithValues: zones[zone]!.map { node in
                    (node.host, JSONValue.object(["nova-compute": .object([
                        "available": .bool(api.isUp(node)), "active": .bool(!node.disabled), "updated_at": .string(node.lastHeartbeat.iso8601Microseconds),
                    ])]))
                })),
            ])
        })]))
    }
}
