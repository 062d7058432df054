import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/servers/{id}/metadata`, `/servers/{id}/tags` (2.26+) and `/servers/{id}/ips`.
struct ServerMetadataController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("servers/{id}/metadata", use: metadata)
        group.post("servers/{id}/metadata", use: mergeMetadata)
        group.put("servers/{id}/metadata", use: replaceMetadata)
        group.get("servers/{id}/metadata/{key}", use: metadataItem)
        group.put("servers/{id}/metadata/{key}", use: setMetadataItem)
        group.delete("servers/{id}/metadata/{key}", use: deleteMetadataItem)
        group.get("servers/{id}/tags", use: tags)
        group.put("servers/{id}/tags", use: replaceTags)
        group.delete("servers/{id}/tags", use: deleteTags)
        group.get("servers/{id}/tags/{tag}", use: hasTag)
        group.put("servers/{id}/tags/{tag}", use: addTag)
        group.delete("servers/{id}/tags/{tag}", use: deleteTag)
        group.get("servers/{id}/ips", use: ips)
        group.get("servers/{id}/ips/{network}", use: networkIps)
    }

    func instance(_ context: StratusRequestContext) async throws -> Instance {
        try await ServerController.visibleInstance(try context.parameters.require("id"), auth: try context.requireAuth(), api: api)
    }

    /// The instance, if the caller may change it: a writer, and unlocked unless admin.
    func changeable(_ context: StratusRequestContext, action: String) async throws -> Instance {
        let auth = try context.requireAuth()
        try auth.requireWriter(action)
        let instance = try await instance(context)
        if instance.locked, !auth.isAdmin { throw StratusError.conflict("Instance \(instance.id) is locked") }
        return instance
    }

    func save(_ instance: Instance) async throws {
        var instance = instance
        instance.updatedAt = api.now
        _ = try await api.repository.updateInstance(instance, expectedTaskStates: nil)
    }

    // MARK: Metadata

    static func view(_ metadata: [String: String]) -> JSONValue { .object(metadata.mapValues(JSONValue.string)) }

    /// The body's `key` object, checked against the project's `metadata_items` quota once merged into `existing`.
    func readMetadata(_ request: inout Request, context: StratusRequestContext, key: String, merging existing: [String: String]) async throws -> [String: String] {
        var body = BodyReader(try await request.jsonObject(context: context), path: key)
        guard let items = try body.stringMap(key) else { throw StratusError.badRequest("Invalid input for field/attribute \(key). '\(key)' is a required property") }
        try body.finish()
        let instance = try await instance(context)
        let limit = try await Quotas(repository: api.repository).limits(instance.projectId)[.metadataItems]!
        try Quotas.check(.metadataItems, requested: existing.merging(items) { $1 }.count, used: 0, limit: limit)
        return items
    }

    @Sendable func metadata(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try JSONResponse.make(JSONValue.object(["metadata": Self.view(try await instance(context).metadata)]))
    }

    @Sendable func mergeMetadata(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var instance = try await changeable(context, action: "os_compute_api:server-metadata:create")
        var request = request
        instance.metadata.merge(try await readMetadata(&request, context: context, key: "metadata", merging: instance.metadata)) { $1 }
        try await save(instance)
        return try JSONResponse.make(JSONValue.object(["metadata": Self.view(instance.metadata)]))
    }

    @Sendable func replaceMetadata(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var instance = try await changeable(context, action: "os_compute_api:server-metadata:update_all")
        var request = request
        instance.metadata = try await readMetadata(&request, context: context, key: "metadata", merging: [:])
        try await save(instance)
        return try JSONResponse.make(JSONValue.object(["metadata": Self.view(instance.metadata)]))
    }

    @Sendable func metadataItem(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let key = try context.parameters.require("key")
        guard let value = try await instance(context).metadata[key] else { throw ComputeFault.notFound("Metadata item was not found") }
        return try JSONResponse.make(JSONValue.object(["meta": .object([key: .string(value)])]))
    }

    @Sendable func setMetadataItem(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var instance = try await changeable(context, action: "os_compute_api:server-metadata:update")
        let key = try context.parameters.require("key")
        var request = request
        let items = try await readMetadata(&request, context: context, key: "meta", merging: instance.metadata)
        guard items.count == 1 else { throw StratusError.badRequest("Request body contains too many items") }
        guard let value = items[key] else { throw StratusError.badRequest("Request body and URI mismatch") }
        instance.metadata[key] = value
        try await save(instance)
        return try JSONResponse.make(JSONValue.object(["meta": .object([key: .string(value)])]))
    }

    @Sendable func deleteMetadataItem(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var instance = try await changeable(context, action: "os_compute_api:server-metadata:delete")
        guard instance.metadata.removeValue(forKey: try context.parameters.require("key")) != nil else {
            throw ComputeFault.notFound("Metadata item was not found")
        }
        try await save(instance)
        return JSONResponse.empty()
    }

    // MARK: Tags

    /// 404 below 2.26, where the tags API does not exist.
    func requireTags(_ context: StratusRequestContext) throws {
        guard context.apiVersion >= APIVersion(2, 26) else { throw ComputeFault.notFound("The resource could not be found.") }
    }

    /// The `{tag}` path parameter, percent-decoded as Nova sees it.
    static func tag(_ context: StratusRequestContext) throws -> String {
        let raw = try context.parameters.require("tag")
        return raw.removingPercentEncoding ?? raw
    }

    static func validTag(_ tag: String) throws -> String {
        guard !tag.isEmpty, tag.count <= 60, !tag.contains("/"), !tag.contains(",") else {
            throw StratusError.badRequest("Invalid input for field/attribute tag. Value: \(tag.prefix(64)). Tags are 1 to 60 characters without '/' or ','")
        }
        return tag
    }

    @Sendable func tags(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try requireTags(context)
        return try JSONResponse.make(JSONValue.object(["tags": .array(try await instance(context).tags.map(JSONValue.string))]))
    }

    @Sendable func replaceTags(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try requireTags(context)
        var instance = try await changeable(context, action: "os_compute_api:os-server-tags:update_all")
        var request = request
        let body = try await request.jsonObject(context: context)
        guard let value = body["tags"] else { throw StratusError.badRequest("Invalid input for field/attribute tags. 'tags' is a required property") }
        instance.tags = try ServerController.tags(value)
        try await save(instance)
        return try JSONResponse.make(JSONValue.object(["tags": .array(instance.tags.map(JSONValue.string))]))
    }

    @Sendable func deleteTags(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try requireTags(context)
        var instance = try await changeable(context, action: "os_compute_api:os-server-tags:delete_all")
        instance.tags = []
        try await save(instance)
        return JSONResponse.empty()
    }

    @Sendable func hasTag(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try requireTags(context)
        let tag = try Self.tag(context)
        guard try await instance(context).tags.contains(tag) else {
            throw ComputeFault.notFound("Tag \(tag.prefix(64)) could not be found.")
        }
        return JSONResponse.empty()
    }

    @Sendable func addTag(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try requireTags(context)
        var instance = try await changeable(context, action: "os_compute_api:os-server-tags:update")
        let tag = try Self.validTag(try Self.tag(context))
        if instance.tags.contains(tag) { return JSONResponse.empty() }
        guard instance.tags.count < 50 else { throw StratusError.badRequest("The number of tags exceeded the per-server limit 50") }
        instance.tags.append(tag)
        try await save(instance)
        return JSONResponse.empty(status: .created, headers: [.location: api.baseURL + "/v2.1/servers/\(instance.id)/tags/\(tag)"])
    }

    @Sendable func deleteTag(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try requireTags(context)
        var instance = try await changeable(context, action: "os_compute_api:os-server-tags:delete")
        let tag = try Self.tag(context)
        guard let index = instance.tags.firstIndex(of: tag) else { throw ComputeFault.notFound("Tag \(tag.prefix(64)) could not be found.") }
        instance.tags.remove(at: index)
        try await save(instance)
        return JSONResponse.empty()
    }

    // MARK: Addresses

    func addresses(_ instance: Instance) -> [String: JSONValue] {
        var byNetwork: [String: [JSONValue]] = [:]
        for vif in instance.networkInfo {
            for address in vif.fixedIps {
                byNetwork[vif.networkName, default: []].append(.object([
                    "addr": .string(address.description), "version": .number(Double(address.version.rawValue)),
                ]))
            }
        }
        return byNetwork.mapValues(JSONValue.array)
    }

    @Sendable func ips(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try JSONResponse.make(JSONValue.object(["addresses": .object(addresses(try await instance(context)))]))
    }

    @Sendable func networkIps(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let network = try context.parameters.require("network")
        guard let list = addresses(try await instance(context))[network] else {
            throw ComputeFault.notFound("Network \(network.prefix(64)) could not be found.")
        }
        return try JSONResponse.make(JSONValue.object([network: list]))
    }
}
