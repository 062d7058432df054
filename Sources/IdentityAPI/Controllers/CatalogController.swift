import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v3/services`, `/v3/endpoints` and (read-only, from the endpoints) `/v3/regions`: the catalog, admin-only.
struct CatalogController: Sendable {
    let api: IdentityAPI

    struct ServiceFields: Decodable, Sendable {
        let type: String?
        let name: String?
        let description: String?
        let enabled: Bool?
    }

    struct ServiceBody: Decodable, Sendable { let service: ServiceFields }

    struct EndpointFields: Decodable, Sendable {
        let serviceId: String?
        let interface: String?
        let region: String?
        let regionId: String?
        let url: String?
        let enabled: Bool?

        enum CodingKeys: String, CodingKey { case interface, region, url, enabled, serviceId = "service_id", regionId = "region_id" }
    }

    struct EndpointBody: Decodable, Sendable { let endpoint: EndpointFields }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("services", use: listServices)
        group.post("services", use: createService)
        group.get("services/{service_id}", use: showService)
        group.patch("services/{service_id}", use: updateService)
        group.delete("services/{service_id}", use: deleteService)
        group.get("endpoints", use: listEndpoints)
        group.post("endpoints", use: createEndpoint)
        group.get("endpoints/{endpoint_id}", use: showEndpoint)
        group.patch("endpoints/{endpoint_id}", use: updateEndpoint)
        group.delete("endpoints/{endpoint_id}", use: deleteEndpoint)
        group.get("regions", use: listRegions)
        group.get("regions/{region_id}", use: showRegion)
    }

    /// The regions the endpoints name (Stratus keeps no separate region records; the bootstrap region is always there).
    private func regions() async throws -> [RegionView] {
        let names = Set(try await api.repositories.endpoints.list([]).map(\.regionId)).union(["RegionOne"])
        return names.sorted().map { RegionView(id: $0, urls: api.urls) }
    }

    @Sendable func listRegions(_ request: Request, context: StratusRequestContext) async throws -> Response {
        _ = try context.requireAuth()
        struct RegionList: Encodable { let regions: [RegionView]; let links: CollectionLinks }
        return try JSONResponse.make(RegionList(regions: try await regions(), links: api.urls.collectionLinks("regions")))
    }

    @Sendable func showRegion(_ request: Request, context: StratusRequestContext) async throws -> Response {
        _ = try context.requireAuth()
        let id = try context.parameters.require("region_id")
        guard let region = try await regions().first(where: { $0.id == id }) else { throw StratusError.notFound(kind: "region", id: id) }
        return try JSONResponse.make(["region": region])
    }

    @Sendable func listServices(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_services")
        let services = try await api.repositories.services.list(request.filters(["type", "name"]))
        return try JSONResponse.make(ServiceList(services: services.map { ServiceView($0, urls: api.urls) }, links: api.urls.collectionLinks("services")))
    }

    @Sendable func createService(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "create_service")
        var request = request
        let fields = try await request.decodeJSON(ServiceBody.self, context: context).service
        guard let type = fields.type else { throw StratusError.badRequest("Invalid input for field 'service': 'type' is a required property.") }
        let service = CatalogService(
            id: .generate(), type: try Validation.name(type, field: "service.type"),
            name: try Validation.name(fields.name ?? type, field: "service.name"),
            description: try Validation.text(fields.description, field: "service.description") ?? "", enabled: fields.enabled ?? true
        )
        try await api.repositories.services.create(service)
        return try JSONResponse.make(["service": ServiceView(service, urls: api.urls)], status: .created)
    }

    @Sendable func showService(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "get_service")
        let id = ServiceID(try context.parameters.require("service_id"))
        return try JSONResponse.make(["service": ServiceView(try await api.repositories.services.require(id), urls: api.urls)])
    }

    @Sendable func updateService(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "update_service")
        let id = ServiceID(try context.parameters.require("service_id"))
        var request = request
        let fields = try await request.decodeJSON(ServiceBody.self, context: context).service
        var service = try await api.repositories.services.require(id)
        if let type = fields.type { service.type = try Validation.name(type, field: "service.type") }
        if let name = fields.name { service.name = try Validation.name(name, field: "service.name") }
        if let description = try Validation.text(fields.description, field: "service.description") { service.description = description }
        if let enabled = fields.enabled { service.enabled = enabled }
        try await api.repositories.services.update(service)
        return try JSONResponse.make(["service": ServiceView(service, urls: api.urls)])
    }

    @Sendable func deleteService(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "delete_service")
        let id = ServiceID(try context.parameters.require("service_id"))
        guard try await api.repositories.services.delete(id) else { throw StratusError.notFound(kind: "service", id: id.rawValue) }
        return JSONResponse.empty()
    }

    @Sendable func listEndpoints(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "list_endpoints")
        let endpoints = try await api.repositories.endpoints.list(request.filters(["service_id", "interface", "region_id"]))
        return try JSONResponse.make(EndpointList(endpoints: endpoints.map { EndpointView($0, urls: api.urls) }, links: api.urls.collectionLinks("endpoints")))
    }

    @Sendable func createEndpoint(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "create_endpoint")
        var request = request
        let fields = try await request.decodeJSON(EndpointBody.self, context: context).endpoint
        guard let serviceId = fields.serviceId, let interface = fields.interface, let url = fields.url else {
            throw StratusError.badRequest("Invalid input for field 'endpoint': 'service_id', 'interface' and 'url' are required properties.")
        }
        let service = try await api.repositories.services.get(ServiceID(serviceId))
        guard let service else { throw StratusError.badRequest("Invalid input for field 'endpoint.service_id': service \(serviceId) does not exist.") }
        let endpoint = Endpoint(
            id: .generate(), serviceId: service.id, interface: try Self.interface(interface),
            regionId: try Validation.name(fields.regionId ?? fields.region ?? "RegionOne", field: "endpoint.region_id"),
            url: try Self.url(url), enabled: fields.enabled ?? true
        )
        try await api.repositories.endpoints.create(endpoint)
        return try JSONResponse.make(["endpoint": EndpointView(endpoint, urls: api.urls)], status: .created)
    }

    @Sendable func showEndpoint(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "get_endpoint")
        let id = EndpointID(try context.parameters.require("endpoint_id"))
        return try JSONResponse.make(["endpoint": EndpointView(try await api.repositories.endpoints.require(id), urls: api.urls)])
    }

    @Sendable func updateEndpoint(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "update_endpoint")
        let id = EndpointID(try context.parameters.require("endpoint_id"))
        var request = request
        let fields = try await request.decodeJSON(EndpointBody.self, context: context).endpoint
        var endpoint = try await api.repositories.endpoints.require(id)
        if let interface = fields.interface { endpoint.interface = try Self.interface(interface) }
        if let url = fields.url { endpoint.url = try Self.url(url) }
        if let region = fields.regionId ?? fields.region { endpoint.regionId = try Validation.name(region, field: "endpoint.region_id") }
        if let enabled = fields.enabled { endpoint.enabled = enabled }
        if let serviceId = fields.serviceId {
            endpoint.serviceId = try await api.repositories.services.get(ServiceID(serviceId))?.id
                ?? { throw StratusError.badRequest("Invalid input for field 'endpoint.service_id': service \(serviceId) does not exist.") }()
        }
        try await api.repositories.endpoints.update(endpoint)
        return try JSONResponse.make(["endpoint": EndpointView(endpoint, urls: api.urls)])
    }

    @Sendable func deleteEndpoint(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try IdentityPolicy.requireAdmin(try context.requireAuth(), "delete_endpoint")
        let id = EndpointID(try context.parameters.require("endpoint_id"))
        guard try await api.repositories.endpoints.delete(id) else { throw StratusError.notFound(kind: "endpoint", id: id.rawValue) }
        return JSONResponse.empty()
    }

    private static func interface(_ value: String) throws -> String {
        guard Endpoint.interfaces.contains(value) else {
            throw StratusError.badRequest("Invalid input for field 'endpoint.interface': '\(value.prefix(40))' is not one of public, internal, admin.")
        }
        return value
    }

    private static func url(_ value: String) throws -> String {
        guard value.count <= 2048, value.hasPrefix("http://") || value.hasPrefix("https://") else {
            throw StratusError.badRequest("Invalid input for field 'endpoint.url': an http(s) URL of at most 2048 characters is required.")
        }
        return value
    }
}
