import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/flavors`: list, show, create and delete (admin), extra specs, and access to private flavors.
struct FlavorController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("flavors", use: list)
        group.get("flavors/detail", use: detail)
        group.get("flavors/{id}", use: show)
        group.post("flavors", use: create)
        group.put("flavors/{id}", use: update)
        group.delete("flavors/{id}", use: delete)
        group.get("flavors/{id}/os-extra_specs", use: extraSpecs)
        group.post("flavors/{id}/os-extra_specs", use: setExtraSpecs)
        group.get("flavors/{id}/os-extra_specs/{key}", use: extraSpec)
        group.put("flavors/{id}/os-extra_specs/{key}", use: setExtraSpec)
        group.delete("flavors/{id}/os-extra_specs/{key}", use: deleteExtraSpec)
        group.get("flavors/{id}/os-flavor-access", use: access)
        group.post("flavors/{id}/action", use: action)
    }

    // MARK: Views

    func view(_ flavor: Flavor, version: APIVersion, detailed: Bool) -> JSONValue {
        let links: JSONValue = .array([
            .object(["rel": .string("self"), "href": .string(api.baseURL + "/v2.1/flavors/\(flavor.id)")]),
            .object(["rel": .string("bookmark"), "href": .string(api.baseURL + "/flavors/\(flavor.id)")]),
        ])
        var view: [String: JSONValue] = ["id": .string(flavor.id.rawValue), "name": .string(flavor.name), "links": links]
        if version >= APIVersion(2, 55) { view["description"] = flavor.description.map(JSONValue.string) ?? .null }
        guard detailed else { return .object(view) }
        view["ram"] = .number(Double(flavor.memoryMB))
        view["vcpus"] = .number(Double(flavor.vcpus))
        view["disk"] = .number(Double(flavor.rootGB))
        view["OS-FLV-EXT-DATA:ephemeral"] = .number(Double(flavor.ephemeralGB))
        view["swap"] = flavor.swapMB == 0 && version < APIVersion(2, 75) ? .string("") : .number(Double(flavor.swapMB))
        view["rxtx_factor"] = .number(flavor.rxtxFactor)
        view["os-flavor-access:is_public"] = .bool(flavor.isPublic)
        view["OS-FLV-DISABLED:disabled"] = .bool(flavor.disabled)
        if version >= APIVersion(2, 61) { view["extra_specs"] = .object(flavor.extraSpecs.mapValues(JSONValue.string)) }
        return .object(view)
    }

    /// The flavor if the caller may see it: public, or private with access for its project, or any for admin.
    func visibleFlavor(_ id: String, auth: AuthContext) async throws -> Flavor {
        guard let flavor = try await api.repository.flavor(FlavorID(id)) else { throw ComputeFault.flavorNotFound(id) }
        if flavor.isPublic || auth.isAdmin { return flavor }
        guard let project = auth.projectId, try await api.repository.flavorsAccessible(by: project).contains(flavor.id) else {
            throw ComputeFault.flavorNotFound(id)
        }
        return flavor
    }

    // MARK: Read

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detailed: false)
    }

    @Sendable func detail(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detailed: true)
    }

    private func listing(_ request: Request, context: StratusRequestContext, detailed: Bool) async throws -> Response {
        let auth = try context.requireAuth()
        let query = request.uri.queryParameters
        // Nova: `is_public` is admin's to choose (default public only; `None` for all); others see public and their private ones.
        var wantPublic: Bool? = true
        if auth.isAdmin, let value = query["is_public"].map(String.init) {
            wantPublic = switch value.lowercased() {
            case "none": nil
            case "true", "t", "1", "yes": true
            case "false", "f", "0", "no": false
            default: throw StratusError.badRequest("Invalid is_public filter [\(value.prefix(32))]")
            }
        }
        var accessible: Set<FlavorID> = []
        if let project = auth.projectId { accessible = try await api.repository.flavorsAccessible(by: project) }
        var flavors = try await api.repository.flavors().filter { flavor in
            if auth.isAdmin { return wantPublic.map { flavor.isPublic == $0 } ?? true }
            return !flavor.disabled && (flavor.isPublic || accessible.contains(flavor.id))
        }
        if let minRam = query["minRam"].map(String.init) {
            guard let value = Int(minRam) else { throw StratusError.badRequest("Invalid minRam filter [\(minRam.prefix(32))]") }
            flavors = flavors.filter { $0.memoryMB >= value }
        }
        if let minDisk = query["minDisk"].map(String.init) {
            guard let value = Int(minDisk) else { throw StratusError.badRequest("Invalid minDisk filter [\(minDisk.prefix(32))]") }
            flavors = flavors.filter { $0.rootGB >= value }
        }
        flavors.sort { ($0.memoryMB, $0.id.rawValue) < ($1.memoryMB, $1.id.rawValue) }
        let page = try Pagination(query: query, ids: flavors.map(\.id.rawValue))
        let items = Array(flavors[page.range])
        var body: [String: JSONValue] = ["flavors": .array(items.map { view($0, version: context.apiVersion, detailed: detailed) })]
        if let next = page.nextMarker {
            body["flavors_links"] = .array([.object(["rel": .string("next"), "href": .string(api.baseURL + "/v2.1/flavors\(detailed ? "/detail" : "")?limit=\(page.limit!)&marker=\(next)")])])
        }
        return try JSONResponse.make(JSONValue.object(body))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let flavor = try await visibleFlavor(try context.parameters.require("id"), auth: try context.requireAuth())
        return try JSONResponse.make(JSONValue.object(["flavor": view(flavor, version: context.apiVersion, detailed: true)]))
    }

    // MARK: Manage

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-flavor-manage:create")
        var request = request
        var body = try BodyReader(try await request.jsonObject(context: context), key: "flavor")
        guard let name = try body.string("name")?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw StratusError.badRequest("Invalid input for field/attribute name. 'name' is a required property")
        }
        guard let ram = try body.int("ram", in: 1...Int(Int32.max)) else { throw StratusError.badRequest("Invalid input for field/attribute flavor. 'ram' is a required property") }
        guard let vcpus = try body.int("vcpus", in: 1...Int(Int32.max)) else { throw StratusError.badRequest("Invalid input for field/attribute flavor. 'vcpus' is a required property") }
        guard let disk = try body.int("disk", in: 0...Int(Int32.max)) else { throw StratusError.badRequest("Invalid input for field/attribute flavor. 'disk' is a required property") }
        // Nova's schema takes the id as a string or a number (an integral one is its decimal digits).
        let id: String?
        if case .number(let number)? = body.raw("id"), number.rounded() == number, abs(number) < 1e15 {
            id = String(Int(number))
        } else {
            id = try body.nullableString("id") ?? nil
        }
        if let id, id.isEmpty || id.contains(where: { !($0.isLetter || $0.isNumber || "-_. ".contains($0)) }) || id.hasPrefix(" ") {
            throw StratusError.badRequest("Invalid input for field/attribute id. Value: \(id.prefix(64)). It does not match the flavor id pattern")
        }
        let swap = try body.int("swap", in: 0...Int(Int32.max)) ?? 0
        let ephemeral = try body.int("OS-FLV-EXT-DATA:ephemeral", in: 0...Int(Int32.max)) ?? 0
        let rxtx: Double
        switch body.raw("rxtx_factor") {
        case .number(let value)? where value > 0: rxtx = value
        case nil: rxtx = 1.0
        case let other?: throw BodyReader.invalid("rxtx_factor", other, "must be a number greater than 0")
        }
        let isPublic = try body.bool("os-flavor-access:is_public") ?? true
        let description = context.apiVersion >= APIVersion(2, 55) ? try body.nullableString("description", maxLength: 65535) ?? nil : nil
        try body.finish()
        let flavor = Flavor(
            id: FlavorID(id ?? UUID().uuidString.lowercased()), name: name, vcpus: vcpus, memoryMB: ram, rootGB: disk, ephemeralGB: ephemeral,
            swapMB: swap, rxtxFactor: rxtx, isPublic: isPublic, description: description, createdAt: api.now
        )
        if try await api.repository.flavor(flavor.id) != nil { throw StratusError.conflict("Flavor with ID \(flavor.id) already exists.") }
        do {
            try await api.repository.createFlavor(flavor)
        } catch StratusError.conflict {
            throw StratusError.conflict("Flavor with name \(name) already exists.")
        }
        return try JSONResponse.make(JSONValue.object(["flavor": view(flavor, version: context.apiVersion, detailed: true)]))
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        guard context.apiVersion >= APIVersion(2, 55) else { throw StratusError.methodNotAllowed("Updating a flavor needs microversion 2.55.") }
        try auth.requireAdmin("os_compute_api:os-flavor-manage:update")
        var flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        var request = request
        var body = try BodyReader(try await request.jsonObject(context: context), key: "flavor")
        guard body.contains("description") else { throw StratusError.badRequest("Invalid input for field/attribute flavor. 'description' is a required property") }
        flavor.description = try body.nullableString("description", maxLength: 65535) ?? nil
        try body.finish()
        try await api.repository.updateFlavor(flavor)
        return try JSONResponse.make(JSONValue.object(["flavor": view(flavor, version: context.apiVersion, detailed: true)]))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-flavor-manage:delete")
        let flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        try await api.repository.deleteFlavor(flavor.id)
        return JSONResponse.empty(status: .accepted)
    }

    // MARK: Extra specs

    @Sendable func extraSpecs(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let flavor = try await visibleFlavor(try context.parameters.require("id"), auth: try context.requireAuth())
        return try JSONResponse.make(JSONValue.object(["extra_specs": .object(flavor.extraSpecs.mapValues(JSONValue.string))]))
    }

    @Sendable func setExtraSpecs(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-flavor-extra-specs:create")
        var flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        var request = request
        var body = BodyReader(try await request.jsonObject(context: context), path: "extra_specs")
        guard let specs = try body.stringMap("extra_specs") else {
            throw StratusError.badRequest("Invalid input for field/attribute extra_specs. 'extra_specs' is a required property")
        }
        try body.finish()
        flavor.extraSpecs.merge(specs) { $1 }
        try await api.repository.updateFlavor(flavor)
        return try JSONResponse.make(JSONValue.object(["extra_specs": .object(specs.mapValues(JSONValue.string))]))
    }

    @Sendable func extraSpec(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let flavor = try await visibleFlavor(try context.parameters.require("id"), auth: try context.requireAuth())
        let key = try context.parameters.require("key")
        guard let value = flavor.extraSpecs[key] else {
            throw ComputeFault.notFound("Flavor \(flavor.id) has no extra specs with key \(key.prefix(64)).")
        }
        return try JSONResponse.make(JSONValue.object([key: .string(value)]))
    }

    @Sendable func setExtraSpec(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-flavor-extra-specs:update")
        var flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        let key = try context.parameters.require("key")
        var request = request
        let body = try await request.jsonObject(context: context)
        guard body.count == 1, case .string(let value)? = body[key] else {
            throw StratusError.badRequest("Request body and URI mismatch: the body must be {\"\(key.prefix(64))\": \"value\"}.")
        }
        flavor.extraSpecs[key] = value
        try await api.repository.updateFlavor(flavor)
        return try JSONResponse.make(JSONValue.object([key: .string(value)]))
    }

    @Sendable func deleteExtraSpec(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-flavor-extra-specs:delete")
        var flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        let key = try context.parameters.require("key")
        guard flavor.extraSpecs.removeValue(forKey: key) != nil else {
            throw ComputeFault.notFound("Flavor \(flavor.id) has no extra specs with key \(key.prefix(64)).")
        }
        try await api.repository.updateFlavor(flavor)
        return JSONResponse.empty(status: .accepted)
    }

    // MARK: Access

    func accessList(_ flavor: Flavor) async throws -> JSONValue {
        .object(["flavor_access": .array(try await api.repository.flavorAccess(flavor.id).map {
            .object(["flavor_id": .string(flavor.id.rawValue), "tenant_id": .string($0.rawValue)])
        })])
    }

    @Sendable func access(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-flavor-access")
        let flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        guard !flavor.isPublic else { throw ComputeFault.notFound("Access list not available for public flavors.") }
        return try JSONResponse.make(try await accessList(flavor))
    }

    /// `addTenantAccess` and `removeTenantAccess`.
    @Sendable func action(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let flavor = try await visibleFlavor(try context.parameters.require("id"), auth: auth)
        var request = request
        let body = try await request.jsonObject(context: context)
        guard body.count == 1, let (name, value) = body.first, ["addTenantAccess", "removeTenantAccess"].contains(name) else {
            throw StratusError.badRequest("There is no such action: \(body.keys.sorted().joined(separator: ",").prefix(64))")
        }
        try auth.requireAdmin("os_compute_api:os-flavor-access:\(name == "addTenantAccess" ? "add_tenant_access" : "remove_tenant_access")")
        guard case .object(let fields) = value, case .string(let tenant)? = fields["tenant"], !tenant.isEmpty else {
            throw StratusError.badRequest("Invalid input for field/attribute \(name). 'tenant' is a required property")
        }
        guard !flavor.isPublic else { throw StratusError.conflict("Can not add access to a public flavor.") }
        if name == "addTenantAccess" {
            try await api.repository.addFlavorAccess(flavor.id, project: ProjectID(tenant))
        } else if try await !api.repository.removeFlavorAccess(flavor.id, project: ProjectID(tenant)) {
            throw ComputeFault.notFound("Flavor access not found for \(flavor.id) / \(tenant.prefix(64)) combination.")
        }
        return try JSONResponse.make(try await accessList(flavor))
    }
}
