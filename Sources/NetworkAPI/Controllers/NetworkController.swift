import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2.0/networks`.
struct NetworkController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("networks", use: create)
        group.get("networks", use: list)
        group.get("networks/{id}", use: show)
        group.put("networks/{id}", use: update)
        group.delete("networks/{id}", use: delete)
    }

    /// The request's network attributes; `creating` allows the ones only a create may set.
    static func read(_ attributes: inout Attributes, creating: Bool) throws -> NetworkRequest {
        var request = NetworkRequest()
        if creating { request.projectId = try attributes.projectId() }
        request.name = try attributes.string("name")
        request.description = try attributes.string("description")
        request.adminStateUp = try attributes.bool("admin_state_up")
        request.shared = try attributes.bool("shared")
        request.external = try attributes.bool("router:external")
        request.mtu = try attributes.int("mtu", in: 68...9000) ?? nil
        request.portSecurityEnabled = try attributes.bool("port_security_enabled")
        // Accepted as Neutron accepts them; one zone and no DNS integration here.
        attributes.ignore("availability_zone_hints", "dns_domain", "is_default")
        try attributes.finish()
        return request
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("network", context: context)
        let network = try await service.createNetwork(try Self.read(&attributes, creating: true), auth: try context.requireAuth())
        return try api.show("network", Views.network(network, subnets: []), request: request, status: .created)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let networks = try await service.networks(auth: try context.requireAuth())
        let subnets = try await service.subnetIds()
        return try api.list(
            "networks", networks.map { Views.network($0, subnets: subnets[$0.id] ?? []) }, attributes: Views.networkAttributes,
            request: request, kind: .network
        )
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let network = try await service.network(NetworkID(try context.parameters.require("id")), auth: try context.requireAuth())
        return try api.show("network", Views.network(network, subnets: try await service.subnetIds()[network.id] ?? []), request: request)
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("network", context: context)
        let id = NetworkID(try context.parameters.require("id"))
        let network = try await service.updateNetwork(id, try Self.read(&attributes, creating: false), auth: try context.requireAuth())
        return try api.show("network", Views.network(network, subnets: try await service.subnetIds()[network.id] ?? []), request: request)
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deleteNetwork(NetworkID(try context.parameters.require("id")), auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}
