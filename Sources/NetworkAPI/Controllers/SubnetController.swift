import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2.0/subnets`.
struct SubnetController: Sendable {
    let api: NetworkAPI
    var service: NetworkService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("subnets", use: create)
        group.get("subnets", use: list)
        group.get("subnets/{id}", use: show)
        group.put("subnets/{id}", use: update)
        group.delete("subnets/{id}", use: delete)
    }

    static func read(_ attributes: inout Attributes, creating: Bool) throws -> SubnetRequest {
        var request = SubnetRequest()
        if creating { request.projectId = try attributes.projectId() }
        request.networkId = try attributes.string("network_id").map { NetworkID($0) }
        request.name = try attributes.string("name")
        request.description = try attributes.string("description")
        request.ipVersion = try attributes.int("ip_version", in: 4...6).flatMap { $0 }
        if let version = request.ipVersion, version != 4, version != 6 {
            throw NeutronError.invalidAttribute("ip_version", "\(version) is not in [4, 6]")
        }
        request.cidr = try attributes.string("cidr")
        if let gateway = try attributes.nullableString("gateway_ip") {
            request.gatewayIp = .some(try gateway.map { try address($0, "gateway_ip") })
        }
        request.enableDhcp = try attributes.bool("enable_dhcp")
        request.allocationPools = try attributes.list("allocation_pools")?.map { item in
            let pool = try object(item, "allocation_pools", keys: ["start", "end"])
            return Subnet.AllocationPool(start: try address(pool["start"]!, "allocation_pools"), end: try address(pool["end"]!, "allocation_pools"))
        }
        request.dnsNameservers = try attributes.stringList("dns_nameservers")?.map { try address($0, "dns_nameservers") }
        request.hostRoutes = try attributes.list("host_routes")?.map { item in
            let route = try object(item, "host_routes", keys: ["destination", "nexthop"])
            guard let destination = IPNetwork.parse(withHost: route["destination"]!)?.network else {
                throw NeutronError.invalidAttribute("host_routes", "'\(route["destination"]!.prefix(64))' is not a valid IP subnet")
            }
            return Subnet.HostRoute(destination: destination, nexthop: try address(route["nexthop"]!, "host_routes"))
        }
        for key in ["ipv6_ra_mode", "ipv6_address_mode"] {
            guard let mode = try attributes.nullableString(key), let mode else { continue }
            guard NetworkService.ipv6Modes.contains(mode) else {
                throw NeutronError.invalidAttribute(key, "'\(mode.prefix(32))' is not in \(NetworkService.ipv6Modes.sorted())")
            }
            if key == "ipv6_ra_mode" { request.ipv6RaMode = mode } else { request.ipv6AddressMode = mode }
        }
        // No subnet pools or segments here: only their "none" values are accepted.
        for key in ["subnetpool_id", "segment_id"] where try attributes.nullableString(key) ?? nil != nil {
            throw NeutronError.invalidInput("\(key) is not supported by this cloud.")
        }
        if try attributes.bool("use_default_subnet_pool") == true {
            throw NeutronError.invalidInput("use_default_subnet_pool is not supported by this cloud; give a cidr.")
        }
        attributes.ignore("service_types", "dns_publish_fixed_ip")
        try attributes.finish()
        return request
    }

    private static func address(_ text: String, _ attribute: String) throws -> IPAddress {
        guard let address = IPAddress(text) else {
            throw NeutronError.invalidAttribute(attribute, "'\(text.prefix(64))' is not a valid IP address")
        }
        return address
    }

    /// A JSON object whose `keys` are all strings.
    private static func object(_ value: JSONValue, _ attribute: String, keys: [String]) throws -> [String: String] {
        guard case .object(let fields) = value else { throw NeutronError.invalidAttribute(attribute, "\(value.shownInMessage) is not a valid dictionary") }
        var result: [String: String] = [:]
        for key in keys {
            guard case .string(let text)? = fields[key] else {
                throw NeutronError.invalidAttribute(attribute, "each entry needs '\(keys.joined(separator: "' and '"))' as strings")
            }
            result[key] = text
        }
        return result
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("subnet", context: context)
        let subnet = try await service.createSubnet(try Self.read(&attributes, creating: true), auth: try context.requireAuth())
        return try api.show("subnet", Views.subnet(subnet), request: request, status: .created)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let subnets = try await service.subnets(auth: try context.requireAuth())
        return try api.list("subnets", subnets.map(Views.subnet), attributes: Views.subnetAttributes, request: request, kind: .subnet)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let subnet = try await service.subnet(SubnetID(try context.parameters.require("id")), auth: try context.requireAuth())
        return try api.show("subnet", Views.subnet(subnet), request: request)
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        var attributes = try await request.attributes("subnet", context: context)
        let id = SubnetID(try context.parameters.require("id"))
        let subnet = try await service.updateSubnet(id, try Self.read(&attributes, creating: false), auth: try context.requireAuth())
        return try api.show("subnet", Views.subnet(subnet), request: request)
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deleteSubnet(SubnetID(try context.parameters.require("id")), auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}
