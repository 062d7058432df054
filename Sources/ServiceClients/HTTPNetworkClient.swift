import Foundation
import HTTPTypes
public import StratusCore

/// The network service's REST API called with the user's token, as Nova calls Neutron.
public struct HTTPNetworkClient: NetworkClient {
    /// `http://HOST:PORT/networking`, from the catalog.
    let baseURL: String
    let http: ServiceHTTPClient

    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        self.baseURL = baseURL
        self.http = http
    }

    public func network(_ id: NetworkID, caller: ServiceCaller) async throws -> Network {
        try Self.network(try await call("GET", "/networks/\(escaped(id.rawValue))", caller: caller, expect: "network"))
    }

    public func subnets(network: NetworkID, caller: ServiceCaller) async throws -> [Subnet] {
        try await list("/subnets?network_id=\(escaped(network.rawValue))", key: "subnets", caller: caller, Self.subnet)
    }

    public func autoAllocatedNetwork(project: ProjectID, caller: ServiceCaller) async throws -> NetworkID {
        let topology = try await call("GET", "/auto-allocated-topology/\(escaped(project.rawValue))", caller: caller, expect: "auto_allocated_topology")
        return NetworkID(try Self.string(topology, "id"))
    }

    public func createPort(_ request: PortRequest, caller: ServiceCaller) async throws -> NetworkPort {
        var port: [String: JSONValue] = [:]
        port["network_id"] = request.networkId.map { .string($0.rawValue) }
        port["project_id"] = request.projectId.map { .string($0.rawValue) }
        port["name"] = request.name.map(JSONValue.string)
        port["description"] = request.description.map(JSONValue.string)
        port["admin_state_up"] = request.adminStateUp.map(JSONValue.bool)
        port["mac_address"] = request.macAddress.map(JSONValue.string)
        port["device_id"] = request.deviceId.map(JSONValue.string)
        port["device_owner"] = request.deviceOwner.map(JSONValue.string)
        port["binding:host_id"] = request.bindingHostId.map(JSONValue.string)
        port["port_security_enabled"] = request.portSecurityEnabled.map(JSONValue.bool)
        port["security_groups"] = request.securityGroups.map { .array($0.map { .string($0.rawValue) }) }
        port["fixed_ips"] = request.fixedIps.map { requests in
            .array(requests.map { fixedIP in
                var fields: [String: JSONValue] = [:]
                fields["subnet_id"] = fixedIP.subnetId.map { .string($0.rawValue) }
                fields["ip_address"] = fixedIP.ipAddress.map { .string($0.description) }
                return .object(fields)
            })
        }
        return try Self.port(try await call("POST", "/ports", caller: caller, body: ["port": .object(port)], expect: "port"))
    }

    public func bindPort(_ id: PortID, host: String, deviceId: String, deviceOwner: String, caller: ServiceCaller) async throws -> NetworkPort {
        let body: [String: JSONValue] = [
            "port": .object(["binding:host_id": .string(host), "device_id": .string(deviceId), "device_owner": .string(deviceOwner)])
        ]
        return try Self.port(try await call("PUT", "/ports/\(escaped(id.rawValue))", caller: caller, body: body, expect: "port"))
    }

    public func ports(deviceId: String, caller: ServiceCaller) async throws -> [NetworkPort] {
        try await list("/ports?device_id=\(escaped(deviceId))", key: "ports", caller: caller, Self.port)
    }

    public func deletePort(_ id: PortID, caller: ServiceCaller) async throws {
        _ = try await send("DELETE", "/ports/\(escaped(id.rawValue))", caller: caller, body: nil)
    }

    public func securityGroupIds(named names: [String], project: ProjectID, caller: ServiceCaller) async throws -> [String: SecurityGroupID] {
        let path = "/security-groups?project_id=\(escaped(project.rawValue))&fields=id&fields=name"
        let groups = try await list(path, key: "security_groups", caller: caller) { fields in
            (id: SecurityGroupID(try Self.string(fields, "id")), name: try Self.string(fields, "name"))
        }
        return resolve(names, in: groups)
    }

    // MARK: HTTP

    /// Sends the request and returns the object under `expect` in the reply.
    private func call(
        _ method: String, _ path: String, caller: ServiceCaller, body: [String: JSONValue]? = nil, expect key: String
    ) async throws -> [String: JSONValue] {
        guard case .object(let object)? = try await send(method, path, caller: caller, body: body)[key] else { throw Self.malformed(key) }
        return object
    }

    /// The objects of the list under `key` in the reply to a GET of `path`, each decoded.
    private func list<Item>(
        _ path: String, key: String, caller: ServiceCaller, _ decode: ([String: JSONValue]) throws -> Item
    ) async throws -> [Item] {
        guard case .array(let items)? = try await send("GET", path, caller: caller, body: nil)[key] else { throw Self.malformed(key) }
        return try items.map { item in
            guard case .object(let fields) = item else { throw Self.malformed(key) }
            return try decode(fields)
        }
    }

    /// The reply's JSON object (empty for 204); a fault reply is rethrown as the service's fault.
    private func send(_ method: String, _ path: String, caller: ServiceCaller, body: [String: JSONValue]?) async throws -> [String: JSONValue] {
        var headers = [("X-Auth-Token", caller.token), ("Accept", "application/json")]
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONEncoder().encode(body))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await http.send(method, baseURL + "/v2.0" + path, headers: headers, body: bytes)
        let decoded = response.body.isEmpty ? nil : try? JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))
        guard (200..<300).contains(response.status) else {
            if case .object(let fault)? = decoded?["NeutronError"], case .string(let message)? = fault["message"] {
                let type: String? = if case .string(let name)? = fault["type"] { name } else { nil }
                throw OpenStackFault(status: HTTPResponse.Status(code: response.status), message: message, style: .neutron, type: type)
            }
            throw StratusError.unavailable("The network service answered \(response.status) to \(method) \(path).")
        }
        guard response.body.isEmpty || decoded != nil else { throw Self.malformed("body") }
        return decoded ?? [:]
    }

    private func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&="))) ?? text
    }

    // MARK: Decoding Neutron's views

    private static func malformed(_ what: String) -> StratusError {
        StratusError.unavailable("The network service sent a malformed \(what).")
    }

    private static func string(_ object: [String: JSONValue], _ key: String) throws -> String {
        guard case .string(let text)? = object[key] else { throw malformed(key) }
        return text
    }

    private static func bool(_ object: [String: JSONValue], _ key: String) throws -> Bool {
        guard case .bool(let flag)? = object[key] else { throw malformed(key) }
        return flag
    }

    private static func int(_ object: [String: JSONValue], _ key: String) throws -> Int {
        guard case .number(let number)? = object[key] else { throw malformed(key) }
        return Int(number)
    }

    private static func time(_ object: [String: JSONValue], _ key: String) throws -> Timestamp {
        guard let time = Timestamp(iso8601: try string(object, key)) else { throw malformed(key) }
        return time
    }

    static func network(_ object: [String: JSONValue]) throws -> Network {
        Network(
            id: NetworkID(try string(object, "id")), projectId: ProjectID(try string(object, "project_id")), name: try string(object, "name"),
            description: try string(object, "description"), adminStateUp: try bool(object, "admin_state_up"), shared: try bool(object, "shared"),
            external: try bool(object, "router:external"), mtu: try int(object, "mtu"),
            portSecurityEnabled: try bool(object, "port_security_enabled"), createdAt: try time(object, "created_at"),
            updatedAt: try time(object, "updated_at"), revisionNumber: try int(object, "revision_number")
        )
    }

    static func subnet(_ object: [String: JSONValue]) throws -> Subnet {
        guard let cidr = IPNetwork(try string(object, "cidr")), case .array(let pools)? = object["allocation_pools"],
              case .array(let nameservers)? = object["dns_nameservers"], case .array(let routes)? = object["host_routes"]
        else { throw malformed("subnet") }
        let gateway: IPAddress? = if case .string(let text)? = object["gateway_ip"] { try address(text) } else { nil }
        return Subnet(
            id: SubnetID(try string(object, "id")), networkId: NetworkID(try string(object, "network_id")),
            projectId: ProjectID(try string(object, "project_id")), name: try string(object, "name"),
            description: try string(object, "description"), cidr: cidr, gatewayIp: gateway, enableDhcp: try bool(object, "enable_dhcp"),
            allocationPools: try pools.map { item in
                guard case .object(let pool) = item else { throw malformed("allocation_pools") }
                return Subnet.AllocationPool(start: try address(try string(pool, "start")), end: try address(try string(pool, "end")))
            },
            dnsNameservers: try nameservers.map { item in
                guard case .string(let text) = item else { throw malformed("dns_nameservers") }
                return try address(text)
            },
            hostRoutes: try routes.map { item in
                guard case .object(let route) = item, let destination = IPNetwork(try string(route, "destination")) else { throw malformed("host_routes") }
                return Subnet.HostRoute(destination: destination, nexthop: try address(try string(route, "nexthop")))
            },
            createdAt: try time(object, "created_at"), updatedAt: try time(object, "updated_at"), revisionNumber: try int(object, "revision_number")
        )
    }

    private static func address(_ text: String) throws -> IPAddress {
        guard let address = IPAddress(text) else { throw malformed("IP address") }
        return address
    }

    static func port(_ object: [String: JSONValue]) throws -> NetworkPort {
        guard case .array(let fixedIps)? = object["fixed_ips"], case .array(let groups)? = object["security_groups"] else {
            throw malformed("port")
        }
        return NetworkPort(
            id: PortID(try string(object, "id")), networkId: NetworkID(try string(object, "network_id")),
            projectId: ProjectID(try string(object, "project_id")), name: try string(object, "name"),
            description: try string(object, "description"), adminStateUp: try bool(object, "admin_state_up"),
            macAddress: try string(object, "mac_address"), deviceId: try string(object, "device_id"),
            deviceOwner: try string(object, "device_owner"), bindingHostId: try string(object, "binding:host_id"),
            portSecurityEnabled: try bool(object, "port_security_enabled"),
            fixedIps: try fixedIps.map { item in
                guard case .object(let fields) = item, let address = IPAddress(try string(fields, "ip_address")) else { throw malformed("fixed_ips") }
                return FixedIP(subnetId: SubnetID(try string(fields, "subnet_id")), ipAddress: address)
            },
            securityGroups: try groups.map { item in
                guard case .string(let id) = item else { throw malformed("security_groups") }
                return SecurityGroupID(id)
            },
            createdAt: try time(object, "created_at"), updatedAt: try time(object, "updated_at"),
            revisionNumber: try int(object, "revision_number")
        )
    }
}
