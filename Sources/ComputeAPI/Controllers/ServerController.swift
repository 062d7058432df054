import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Messaging
import NetworkAPI
import ServiceClients
import StratusCore

/// `/servers`: boot, list (summary and detail, with Nova's filters, sorting and paging), show, update, delete.
struct ServerController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("servers", use: create)
        group.get("servers", use: list)
        group.get("servers/detail", use: detail)
        group.get("servers/{id}", use: show)
        group.put("servers/{id}", use: update)
        group.delete("servers/{id}", use: delete)
    }

    func views(_ context: StratusRequestContext) async throws -> ServerView {
        let auth = try context.requireAuth()
        var hostUp: [String: Bool] = [:]
        if auth.isAdmin {
            for node in try await api.repository.computeNodes() { hostUp[node.host] = api.isUp(node) }
        }
        return ServerView(baseURL: api.baseURL, version: context.apiVersion, isAdmin: auth.isAdmin, hostUp: hostUp)
    }

    // MARK: Create

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let project = try auth.computeProject()
        try auth.requireWriter("os_compute_api:servers:create")
        var request = request
        let body = try await request.jsonObject(context: context)
        var server = try BodyReader(body, key: "server")
        let version = context.apiVersion
        let hints = try Self.schedulerHints(body)

        guard let name = try server.string("name") else { throw StratusError.badRequest("Invalid input for field/attribute server. 'name' is a required property") }
        guard let flavorRef = try server.string("flavorRef") else {
            throw StratusError.badRequest("Invalid input for field/attribute server. 'flavorRef' is a required property")
        }
        let imageRef = try server.string("imageRef", allowEmpty: true)
        let networks = try requestedNetworks(server.raw("networks"), version: version)
        let keyName = try server.string("key_name")
        let userData = try server.nullableString("user_data", maxLength: 65535) ?? nil
        let metadata = try server.stringMap("metadata") ?? [:]
        let requested = try Self.destination(
            zone: try server.string("availability_zone"),
            host: version >= APIVersion(2, 74) ? try server.string("host") : nil,
            node: version >= APIVersion(2, 74) ? try server.string("hypervisor_hostname") : nil
        )
        let zone = requested.zone
        let minCount = try server.int("min_count", in: 1...1000) ?? 1
        let maxCount = try server.int("max_count", in: 1...1000) ?? minCount
        guard minCount <= maxCount else { throw StratusError.badRequest("min_count must be <= max_count") }
        let description = version >= APIVersion(2, 19) ? try server.nullableString("description") ?? nil : nil
        let hostname = version >= APIVersion(2, 90) ? try server.string("hostname") : nil
        let tags = version >= APIVersion(2, 52) ? try server.raw("tags").map(Self.tags) ?? [] : []
        let configDrive = try server.bool("config_drive") ?? false
        let groups = try server.raw("security_groups").map(Self.securityGroups) ?? ["default"]
        let mappings = server.raw("block_device_mapping_v2")
        let returnReservation = try server.bool("return_reservation_id") ?? false
        _ = server.raw("adminPass")
        _ = server.raw("accessIPv4"); _ = server.raw("accessIPv6"); _ = server.raw("OS-DCF:diskConfig")
        try server.finish()

        if let userData, Data(base64Encoded: userData) == nil {
            throw StratusError.badRequest("Invalid input for field/attribute user_data. Value: \(userData.prefix(32)). '\(userData.prefix(32))' is not a 'base64'")
        }
        let limits = try await Quotas(repository: api.repository).limits(project)
        try Quotas.check(.metadataItems, requested: metadata.count, used: 0, limit: limits[.metadataItems]!)

        let flavor: Flavor
        do {
            flavor = try await FlavorController(api: api).visibleFlavor(flavorRef, auth: auth)
        } catch {
            throw StratusError.badRequest("Invalid flavorRef provided.")
        }
        guard !flavor.disabled else { throw StratusError.badRequest("Flavor \(flavor.id) is disabled.") }
        let devices = try BlockDeviceMappings(mappings)
        let token = request.headers[.authToken] ?? ""
        let volumeImage = devices.volumes.isEmpty ? nil
            : try await checkVolumes(devices.volumes, count: maxCount, auth: auth, token: token, flavor: InstanceFlavor(flavor))
        let image = devices.bootsFromVolume ? volumeImage : try await bootImage(devices.localImage ?? imageRef, auth: auth, flavor: InstanceFlavor(flavor))
        var publicKey: String?
        if let keyName {
            guard let keypair = try await api.repository.keypair(user: auth.userId, name: keyName) else {
                throw StratusError.badRequest("Invalid key_name provided.")
            }
            publicKey = keypair.publicKey
        }
        let caller = ServiceCaller(auth: auth, token: token)
        if case .list(let nics) = networks {
            for nic in nics {
                if let networkId = nic.networkId {
                    do { _ = try await api.network.network(networkId, caller: caller) } catch {
                        throw StratusError.badRequest("Network \(networkId) could not be found.")
                    }
                }
            }
        }
        if groups != ["default"] {
            let found = try await api.network.securityGroupIds(named: groups, project: project, caller: caller)
            if let missing = groups.first(where: { found[$0] == nil }) {
                throw StratusError.badRequest("Security group \(missing.prefix(64)) not found for project \(project).")
            }
        }
        if let zone { try await checkZone(zone) }
        if let host = requested.host {
            try auth.requireAdmin("compute:servers:create:requested_destination")
            guard try await api.repository.computeNode(host: host) != nil else { throw StratusError.badRequest("Compute host \(host.prefix(255)) could not be found.") }
        }

        var group: ServerGroup?
        if let groupId = hints.group {
            do {
                group = try await ServerGroupController.visibleGroup(groupId, auth: auth, api: api)
            } catch {
                throw StratusError.badRequest("Invalid server group \(groupId.prefix(64)): it could not be found.")
            }
            let members = try await api.repository.members(of: group!.id).count
            try Quotas.check(.serverGroupMembers, requested: maxCount, used: members, limit: limits[.serverGroupMembers]!)
        }
        let time = api.now
        let reservation = "r-" + UUID().uuidString.lowercased().prefix(8)
        // The quota is counted and the instances written in one transaction: racing boots cannot both take the last room.
        let instances = try await api.backend.transaction { [requestId = context.requestID, group, publicKey] tx in
            try await tx.lock("instance quota of \(project)")
            let count = try await Quotas(repository: tx.compute).allowedInstances(project, limits: limits, flavor: flavor, minimum: minCount, count: maxCount)
            var instances: [Instance] = []
            for index in 0..<count {
                let displayName = count > 1 ? "\(name)-\(index + 1)" : name
                var instance = Instance(
                    id: InstanceID(UUID().uuidString.lowercased()), name: displayName, projectId: project, userId: auth.userId,
                    imageId: devices.bootsFromVolume ? nil : image?.id,
                    flavor: InstanceFlavor(flavor), keyName: keyName, publicKey: publicKey, userData: userData, metadata: metadata, tags: tags,
                    securityGroups: groups, requestedNetworks: networks, requestedZone: zone, hostname: hostname ?? Self.hostname(displayName),
                    description: description, configDrive: configDrive, launchIndex: index, reservationId: String(reservation),
                    serverGroupId: group?.id, createdAt: time, updatedAt: time
                )
                instance.requestedVolumes = devices.volumes
                try await tx.compute.createInstance(instance)
                try await tx.requestSpecs.saveRequestSpec(RequestSpec(
                    instanceId: instance.id, projectId: project, flavor: instance.flavor, imageProperties: image?.properties ?? [:],
                    isVolumeBacked: instance.isVolumeBacked, availabilityZone: zone, requestedHost: requested.host, sameHost: hints.sameHost,
                    differentHost: hints.differentHost, serverGroupId: group?.id, numInstances: count
                ))
                if let group { try await tx.compute.addMember(instance.id, to: group.id) }
                try await tx.compute.recordAction(InstanceAction(
                    instanceId: instance.id, requestId: requestId, action: "create", userId: auth.userId, projectId: project, startTime: time
                ))
                instances.append(instance)
            }
            // The build's cast is written with the instances: a crash after the commit loses neither.
            let credentials = Credentials(
                requestId: requestId, token: token, userId: auth.userId, userDomainId: auth.userDomainId, projectId: project, roles: auth.roles
            )
            try await api.conductorRPC.casting(into: tx.outbox).buildInstances(instances.map(\.id), credentials: credentials)
            return instances
        }

        if returnReservation {
            return try JSONResponse.make(JSONValue.object(["reservation_id": .string(String(reservation))]), status: .accepted)
        }
        let first = instances[0]
        // Only the links are shown: no need for the hosts' status.
        let view = ServerView(baseURL: api.baseURL, version: version, isAdmin: auth.isAdmin, hostUp: [:])
        var reply: [String: JSONValue] = [
            "id": .string(first.id.rawValue), "links": view.links(first.id), "OS-DCF:diskConfig": .string("MANUAL"),
            "security_groups": .array(groups.map { .object(["name": .string($0)]) }), "adminPass": .string(Self.password()),
        ]
        if version < APIVersion(2, 1) { reply.removeValue(forKey: "adminPass") }
        return try JSONResponse.make(
            JSONValue.object(["server": .object(reply)]), status: .accepted,
            headers: [.location: api.baseURL + "/v2.1/servers/\(first.id)"]
        )
    }

    /// `os:scheduler_hints`: `group`, `same_host`, `different_host` (others are accepted and ignored, as Nova's
    /// schema allows hints for filters that are not enabled).
    static func schedulerHints(_ body: [String: JSONValue]) throws -> (group: String?, sameHost: [InstanceID], differentHost: [InstanceID]) {
        guard let value = body["os:scheduler_hints"] ?? body["OS-SCH-HNT:scheduler_hints"] else { return (nil, [], []) }
        guard case .object(let hints) = value else { throw BodyReader.invalid("os:scheduler_hints", value, "is not of type 'object'") }
        func ids(_ key: String) throws -> [InstanceID] {
            switch hints[key] {
            case nil: return []
            case .string(let id)?: return [InstanceID(id.lowercased())]
            case .array(let items)?:
                return try items.map { item in
                    guard case .string(let id) = item else { throw BodyReader.invalid(key, item, "is not a server id") }
                    return InstanceID(id.lowercased())
                }
            case let other?: throw BodyReader.invalid(key, other, "is not a server id or a list of them")
            }
        }
        var group: String?
        if let value = hints["group"] {
            guard case .string(let id) = value, UUID(uuidString: id) != nil else { throw BodyReader.invalid("group", value, "is not a 'uuid'") }
            group = id
        }
        return (group, try ids("same_host"), try ids("different_host"))
    }

    /// Nova's `networks`: `auto`, `none` (2.37+, where it is required), or a list of `uuid`/`port`/`fixed_ip`.
    func requestedNetworks(_ value: JSONValue?, version: APIVersion) throws -> RequestedNetworks {
        switch value {
        case nil:
            if version >= APIVersion(2, 37) { throw StratusError.badRequest("Invalid input for field/attribute server. 'networks' is a required property") }
            return .auto
        case .string("auto")?: return .auto
        case .string("none")?: return .none
        case .array(let items)?:
            return .list(try items.map { item in
                guard case .object(let fields) = item else { throw BodyReader.invalid("networks", item, "is not of type 'object'") }
                var nic = RequestedNetworks.NIC()
                for (key, field) in fields {
                    guard case .string(let text) = field else { throw BodyReader.invalid("networks/\(key)", field, "is not of type 'string'") }
                    switch key {
                    case "uuid":
                        guard UUID(uuidString: text) != nil else { throw StratusError.badRequest("Bad networks format: network uuid is not in proper format (\(text.prefix(64)))") }
                        nic.networkId = NetworkID(text.lowercased())
                    case "port": nic.portId = PortID(text)
                    case "fixed_ip":
                        guard let address = IPAddress(text) else { throw StratusError.badRequest("Invalid fixed IP address (\(text.prefix(64)))") }
                        nic.fixedIp = address
                    case "tag": nic.tag = text
                    default: throw StratusError.badRequest("Invalid input for field/attribute networks. Additional properties are not allowed ('\(key.prefix(32))' was unexpected)")
                    }
                }
                guard nic.networkId != nil || nic.portId != nil else {
                    throw StratusError.badRequest("Bad networks format: a network needs a 'uuid' or a 'port'")
                }
                return nic
            })
        case let other?:
            throw BodyReader.invalid("networks", other, "\(other.shownInMessage) is not valid under any of the given schemas")
        }
    }

    /// 400 unless some host is in `zone`.
    /// The zone and host a boot asks for: Nova's `zone:host[:node]` form of `availability_zone` (an empty part means
    /// any), or `host` and `hypervisor_hostname` from 2.74. A node is named after its host here, so both must agree.
    static func destination(zone: String?, host: String?, node: String?) throws -> (zone: String?, host: String?) {
        var zone = zone
        var hosts = [host, node]
        if let value = zone, value.contains(":") {
            let parts = value.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            zone = parts[0]
            hosts += parts.dropFirst().map { $0 }
        }
        let named = Set(hosts.compactMap { $0 }.filter { !$0.isEmpty })
        guard named.count <= 1 else { throw StratusError.badRequest("Compute host node \(named.sorted().joined(separator: ", ").prefix(255)) could not be found.") }
        return (zone?.isEmpty == true ? nil : zone, named.first)
    }

    func checkZone(_ zone: String) async throws {
        if zone != "nova", try await !api.repository.computeNodes().contains(where: { $0.availabilityZone == zone }) {
            throw StratusError.badRequest("The requested availability zone is not available")
        }
    }

    /// The image to boot from (`imageRef`, or the image of a local root disk mapping): active, visible to the caller
    /// and fitting the flavor.
    func bootImage(_ reference: String?, auth: AuthContext, flavor: InstanceFlavor) async throws -> Image {
        guard let reference, !reference.isEmpty else {
            throw StratusError.badRequest("Invalid input for field/attribute server. 'imageRef' is a required property")
        }
        let image = try await visibleImage(reference, auth: auth)
        if let size = image.size, flavor.rootGB > 0, size > Int64(flavor.rootGB) << 30 {
            throw StratusError.badRequest("Flavor's disk is too small for requested image. Flavor disk is \(Int64(flavor.rootGB) << 30) bytes, image is \(size) bytes.")
        }
        if flavor.memoryMB < image.minRam { throw StratusError.badRequest("Flavor's memory is too small for requested image.") }
        if flavor.rootGB > 0, flavor.rootGB < image.minDisk { throw StratusError.badRequest("Flavor's disk is too small for requested image.") }
        return image
    }

    func visibleImage(_ reference: String, auth: AuthContext) async throws -> Image {
        guard UUID(uuidString: reference) != nil, let image = try? await api.images.image(ImageID(reference.lowercased()), auth: auth) else {
            throw StratusError.badRequest("Image \(reference.prefix(64)) could not be found.")
        }
        guard image.status == .active else { throw StratusError.badRequest("Image \(image.id) is not active.") }
        return image
    }

    /// Checks the volumes a boot asks for, as Nova's API does before it accepts the boot: an existing volume must be
    /// visible to the caller and `available` (and, being one volume, boots one server only); an image to make a volume
    /// from must be one the caller may boot and fit the volume's size. Returns the image of a root volume made from one.
    func checkVolumes(_ volumes: [RequestedVolume], count: Int, auth: AuthContext, token: String, flavor: InstanceFlavor) async throws -> Image? {
        guard let catalog = api.volumes else { throw BlockDeviceMappings.invalid("This cloud has no volume service.") }
        var rootImage: Image?
        for volume in volumes {
            switch volume.source {
            case .volume(let id):
                guard count == 1 else { throw BlockDeviceMappings.invalid("Volume \(id) cannot be attached to more than one server.") }
                guard let status = try await catalog.volumeStatus(id, token: token) else {
                    throw BlockDeviceMappings.invalid("failed to get volume \(id).")
                }
                guard status == "available" else {
                    throw StratusError.badRequest("Invalid volume: volume '\(id)' status must be 'available'. Currently in '\(status)'")
                }
            case .image(let id):
                let image = try await visibleImage(id.rawValue, auth: auth)
                let size = Int64(volume.sizeGB ?? 0) << 30
                if let bytes = image.size, bytes > size {
                    throw StratusError.badRequest("Volume size \(volume.sizeGB ?? 0) GiB is smaller than image \(id) (\(bytes) bytes).")
                }
                if volume.sizeGB ?? 0 < image.minDisk {
                    throw StratusError.badRequest("Volume size \(volume.sizeGB ?? 0) GiB is smaller than image \(id)'s min_disk of \(image.minDisk) GiB.")
                }
                if volume.bootIndex == 0 {
                    if flavor.memoryMB < image.minRam { throw StratusError.badRequest("Flavor's memory is too small for requested image.") }
                    rootImage = image
                }
            case .blank:
                break
            }
        }
        return rootImage
    }

    static func tags(_ value: JSONValue) throws -> [String] {
        guard case .array(let items) = value, items.count <= 50 else { throw BodyReader.invalid("tags", value, "is not a list of at most 50 tags") }
        return try items.map { item in
            guard case .string(let tag) = item, !tag.isEmpty, tag.count <= 60, !tag.contains("/"), !tag.contains(",") else {
                throw BodyReader.invalid("tags", item, "is not a valid tag")
            }
            return tag
        }
    }

    static func securityGroups(_ value: JSONValue) throws -> [String] {
        guard case .array(let items) = value else { throw BodyReader.invalid("security_groups", value, "is not of type 'array'") }
        return try items.map { item in
            guard case .object(let fields) = item, case .string(let name)? = fields["name"], !name.isEmpty else {
                throw BodyReader.invalid("security_groups", item, "'name' is a required property")
            }
            return name
        }
    }

    /// Nova's hostname from a display name: lowercase letters, digits and hyphens, at most 63.
    static func hostname(_ name: String) -> String {
        let cleaned = name.lowercased().map { $0.isLetter && $0.isASCII || $0.isNumber && $0.isASCII ? $0 : "-" }
        let trimmed = String(cleaned).trimmingCharacters(in: CharacterSet(charactersIn: "-."))
        return trimmed.isEmpty ? "server" : String(trimmed.prefix(63))
    }

    static func password() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }

    // MARK: Read

    /// The instance if the caller may see it: its project's, or any for admin; 404 otherwise.
    static func visibleInstance(_ id: String, auth: AuthContext, api: ComputeAPI) async throws -> Instance {
        guard let instance = try await api.repository.instance(InstanceID(id.lowercased())), instance.vmState != .deleted,
            auth.isAdmin || instance.projectId == auth.projectId
        else { throw ComputeFault.instanceNotFound(id) }
        return instance
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let instance = try await Self.visibleInstance(try context.parameters.require("id"), auth: try context.requireAuth(), api: api)
        return try JSONResponse.make(JSONValue.object(["server": try await views(context).detail(instance)]))
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detailed: false)
    }

    @Sendable func detail(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detailed: true)
    }

    private func listing(_ request: Request, context: StratusRequestContext, detailed: Bool) async throws -> Response {
        let auth = try context.requireAuth()
        let query = request.uri.queryParameters
        let allTenants = query["all_tenants"].map { !["0", "false", "f", "no", "off"].contains(String($0).lowercased()) } == true
        if allTenants { try auth.requireAdmin("os_compute_api:servers:detail:get_all_tenants") }
        var project = allTenants ? nil : try auth.computeProject()
        if auth.isAdmin, let asked = (query["project_id"] ?? query["tenant_id"]).map(String.init) { project = ProjectID(asked) }
        var instances = try await api.repository.instances(project: project)
        if let name = query["name"].map(String.init) {
            // Nova matches `name` as a regular expression.
            let pattern = try? NSRegularExpression(pattern: name)
            instances = instances.filter { instance in
                guard let pattern else { return instance.name.contains(name) }
                return pattern.firstMatch(in: instance.name, range: NSRange(instance.name.startIndex..., in: instance.name)) != nil
            }
        }
        if let status = query["status"].map({ String($0).uppercased() }) { instances = instances.filter { $0.status == status } }
        if let flavor = query["flavor"].map(String.init) { instances = instances.filter { $0.flavor.id.rawValue == flavor } }
        if let image = query["image"].map(String.init) { instances = instances.filter { $0.imageId?.rawValue == image } }
        if auth.isAdmin, let host = query["host"].map(String.init) { instances = instances.filter { $0.host == host } }
        if let reservation = query["reservation_id"].map(String.init) { instances = instances.filter { $0.reservationId == reservation } }
        if let ip = query["ip"].map(String.init) {
            instances = instances.filter { $0.networkInfo.contains { $0.fixedIps.contains { $0.description.hasPrefix(ip) } } }
        }
        // Nova's default order: newest first.
        let descending = (query["sort_dir"].map(String.init) ?? "desc") != "asc"
        let key = query["sort_key"].map(String.init) ?? "created_at"
        instances.sort { lhs, rhs in
            let order: Bool = switch key {
            case "display_name": (lhs.name, lhs.id.rawValue) < (rhs.name, rhs.id.rawValue)
            default: (lhs.createdAt, lhs.id.rawValue) < (rhs.createdAt, rhs.id.rawValue)
            }
            return descending ? !order : order
        }
        let page = try Pagination(query: query, ids: instances.map(\.id.rawValue))
        let view = try await views(context)
        let items = instances[page.range].map { detailed ? view.detail($0) : view.summary($0) }
        var body: [String: JSONValue] = ["servers": .array(items)]
        if let next = page.nextMarker {
            var parameters = query.filter { $0.key != "marker" && $0.key != "limit" }.map { "\($0.key)=\($0.value)" }
            parameters += ["limit=\(page.limit!)", "marker=\(next)"]
            body["servers_links"] = .array([.object([
                "rel": .string("next"),
                "href": .string(api.baseURL + "/v2.1/servers\(detailed ? "/detail" : "")?" + parameters.joined(separator: "&")),
            ])])
        }
        return try JSONResponse.make(JSONValue.object(body))
    }

    // MARK: Change

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireWriter("os_compute_api:servers:update")
        var instance = try await Self.visibleInstance(try context.parameters.require("id"), auth: auth, api: api)
        var request = request
        var server = try BodyReader(try await request.jsonObject(context: context), key: "server")
        if let name = try server.string("name") { instance.name = name }
        if context.apiVersion >= APIVersion(2, 19), let description = try server.nullableString("description") { instance.description = description }
        if context.apiVersion >= APIVersion(2, 90), let hostname = try server.string("hostname") { instance.hostname = hostname }
        _ = server.raw("accessIPv4"); _ = server.raw("accessIPv6"); _ = server.raw("OS-DCF:diskConfig")
        try server.finish()
        instance.updatedAt = api.now
        _ = try await api.repository.updateInstance(instance, expectedTaskStates: nil)
        return try JSONResponse.make(JSONValue.object(["server": try await views(context).detail(instance)]))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireWriter("os_compute_api:servers:delete")
        let instance = try await Self.visibleInstance(try context.parameters.require("id"), auth: auth, api: api)
        try await ServerActionController(api: api).delete(instance, soft: api.settings.reclaimInstanceInterval > 0, auth: auth, requestId: context.requestID, token: request.headers[.authToken] ?? "")
        return JSONResponse.empty()
    }
}
