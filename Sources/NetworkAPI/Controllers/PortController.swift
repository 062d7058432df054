import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2.0/ports`.
struct PortController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("ports", use: create)
        group.get("ports", use: list)
        group.get("ports/{id}", use: show)
        group.put("ports/{id}", use: update)
        group.delete("ports/{id}", use: delete)
    }

    static func read(_ attributes: inout Attributes, creating: Bool) throws -> PortRequest {
        var request = PortRequest()
        if creating { request.projectId = try attributes.projectId() }
        request.networkId = try attributes.string("network_id").map { NetworkID($0) }
        request.name = try attributes.string("name")
        request.description = try attributes.string("description")
        request.adminStateUp = try attributes.bool("admin_state_up")
        request.macAddress = try attributes.string("mac_address")
        request.deviceId = try attributes.string("device_id")
        request.deviceOwner = try attributes.string("device_owner")
        request.bindingHostId = try attributes.string("binding:host_id")
        request.portSecurityEnabled = try attributes.bool("port_security_enabled")
        request.securityGroups = try attributes.stringList("security_groups")?.map { SecurityGroupID($0) }
        request.fixedIps = try attributes.list("fixed_ips")?.map(fixedIP)
        // Accepted as Neutron accepts them and not used here.
        if case .object(let profile)? = attributes.raw("binding:profile"), !profile.isEmpty {
            throw NeutronError.invalidInput("binding:profile is not supported by this cloud.")
        }
        attributes.ignore("binding:vnic_type", "allowed_address_pairs", "extra_dhcp_opts", "dns_name")
        try attributes.finish()
        return request
    }

    private static func fixedIP(_ value: JSONValue) throws -> PortRequest.FixedIPRequest {
        guard case .object(let fields) = value else { throw NeutronError.invalidAttribute("fixed_ips", "\(value.shownInMessage) is not a valid dictionary") }
        var request = PortRequest.FixedIPRequest()
        for (key, field) in fields {
            guard case .string(let text) = field else { throw NeutronError.invalidAttribute("fixed_ips", "\(field.shownInMessage) is not a valid string") }
            switch key {
            case "subnet_id": request.subnetId = SubnetID(text)
            case "ip_address":
                guard let address = IPAddress(text) else {
                    throw NeutronError.invalidAttribute("fixed_ips", "'\(text.prefix(64))' is not a valid IP address")
                }
                request.ipAddress = address
            default: throw NeutronError.invalidAttribute("fixed_ips", "'\(key.prefix(32))' is not a fixed IP attribute")
            }
        }
        return request
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("port", context: context)
        let port = try await service.createPort(try Self.read(&attributes, creating: true), auth: try context.requireAuth())
        return try api.show("port", Views.port(port), request: request, status: .created)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let ports = try await service.ports(auth: try context.requireAuth())
        return try api.list("ports", ports.map(Views.port), attributes: Views.portAttributes, request: request, kind: .port)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let port = try await service.port(PortID(try context.parameters.require("id")), auth: try context.requireAuth())
        return try api.show("port", Views.port(port), request: request)
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("port", context: context)
        let id = PortID(try context.parameters.require("id"))
        let port = try await service.updatePort(id, try Self.read(&attributes, creating: false), auth: try context.requireAuth())
        return try api.show("port", Views.port(port), request: request)
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deletePort(PortID(try context.parameters.require("id")), auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}
