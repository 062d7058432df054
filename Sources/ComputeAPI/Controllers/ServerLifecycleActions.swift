import Database
import Foundation
import HTTPSupport
import Hummingbird
import Messaging
import ServiceClients
import StratusCore

/// The actions that replace or park a server: rebuild, shelve/unshelve, and restore/forceDelete of a soft delete.
extension ServerActionController {
    /// `rebuild`: a new root disk from `imageRef`, with the name, metadata and (by microversion) description, key,
    /// user data and hostname given. Answers with the server, as Nova does.
    func rebuild(_ instance: Instance, argument: JSONValue, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireWriter("os_compute_api:servers:rebuild")
        let version = context.apiVersion
        var body = BodyReader(Self.object(argument), path: "rebuild")
        guard let imageRef = try body.string("imageRef") else {
            throw StratusError.badRequest("Invalid input for field/attribute rebuild. 'imageRef' is a required property")
        }
        let name = try body.string("name")
        let metadata = try body.stringMap("metadata")
        let description = version >= APIVersion(2, 19) ? try body.nullableString("description") : nil
        let keyName = version >= APIVersion(2, 54) ? try body.nullableString("key_name") : nil
        let userData = version >= APIVersion(2, 57) ? try body.nullableString("user_data", maxLength: 65535) : nil
        let hostname = version >= APIVersion(2, 90) ? try body.string("hostname") : nil
        for ignored in ["adminPass", "preserve_ephemeral", "OS-DCF:diskConfig", "accessIPv4", "accessIPv6", "trusted_image_certificates"] {
            _ = body.raw(ignored)
        }
        if version < APIVersion(2, 57) { _ = body.raw("personality") }
        try body.finish()
        try check("rebuild", instance, from: [.active, .stopped, .error], auth: auth)
        if case .some(.some(let data)) = userData, Data(base64Encoded: data) == nil {
            throw BodyReader.invalid("user_data", .string(data), "'\(data.prefix(32))' is not a 'base64'")
        }
        if let metadata {
            let limit = try await Quotas(repository: api.repository).limits(instance.projectId)[.metadataItems]!
            try Quotas.check(.metadataItems, requested: metadata.count, used: 0, limit: limit)
        }
        var rebuilt = instance
        let image = try await ServerController(api: api).bootImage(imageRef, auth: auth, flavor: instance.flavor)
        rebuilt.imageId = image.id
        if let name { rebuilt.name = name }
        if let metadata { rebuilt.metadata = metadata }
        if let description { rebuilt.description = description }
        if let userData { rebuilt.userData = userData }
        if let hostname { rebuilt.hostname = hostname }
        if let keyName {
            rebuilt.keyName = keyName
            rebuilt.publicKey = nil
            if let keyName {
                guard let keypair = try await api.repository.keypair(user: instance.userId, name: keyName) else {
                    throw StratusError.badRequest("Invalid key_name provided.")
                }
                rebuilt.publicKey = keypair.publicKey
            }
        }
        rebuilt.taskState = .rebuilding
        try await begin("rebuild", &rebuilt)
        try await api.backend.requestSpecs.changeRequestSpec(of: rebuilt) { $0.imageProperties = image.properties }
        try await recordAction("rebuild", rebuilt, auth: auth, context: context)
        try await api.computeRPC.rebuild(rebuilt, on: rebuilt.host!, credentials: credentials(auth, rebuilt, context.requestID, token))
        guard case .object(var server) = try await ServerController(api: api).views(context).detail(rebuilt) else {
            preconditionFailure("a server's view is an object")
        }
        if context.apiVersion < APIVersion(2, 75) { server = Self.rebuildView(server) }
        server["adminPass"] = .string(ServerController.password())
        return try JSONResponse.make(JSONValue.object(["server": .object(server)]), status: .accepted)
    }

    /// A rebuild's answer before 2.75, as Nova's: the server without the extended attributes (zone, host, usage,
    /// state, volumes, key, security groups, config drive, the addresses' type and MAC); from 2.75 the whole server.
    static func rebuildView(_ server: [String: JSONValue]) -> [String: JSONValue] {
        let extended = ["OS-EXT-AZ:", "OS-EXT-SRV-ATTR:", "OS-SRV-USG:", "OS-EXT-STS:", "os-extended-volumes:"]
        var view = server.filter { key, _ in
            !extended.contains { key.hasPrefix($0) } && !["config_drive", "key_name", "security_groups", "host_status"].contains(key)
        }
        if case .object(let networks)? = view["addresses"] {
            view["addresses"] = .object(networks.mapValues { addresses in
                guard case .array(let list) = addresses else { return addresses }
                return .array(list.map { address in
                    guard case .object(let fields) = address else { return address }
                    return .object(fields.filter { !$0.key.hasPrefix("OS-EXT-IPS") })
                })
            })
        }
        return view
    }

    /// `shelve`: the guest's disk becomes an image, then the guest leaves its host (offloaded at once, as Nova with
    /// `shelved_offload_time = 0`), keeping its ports and addresses.
    func shelve(_ instance: Instance, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireWriter("os_compute_api:os-shelve:shelve")
        try check("shelve", instance, from: [.active, .stopped, .paused, .suspended], auth: auth)
        var instance = instance
        instance.taskState = .shelving
        try await begin("shelve", &instance)
        let imageId = try await snapshotImage("\(instance.name)-shelved", of: instance, metadata: [:])
        instance.shelvedImageId = imageId
        _ = try await api.repository.updateInstance(instance, expectedTaskStates: [.shelving])
        try await recordAction("shelve", instance, auth: auth, context: context)
        try await api.computeRPC.shelve(instance.id, on: instance.host!, into: imageId, credentials: credentials(auth, instance, context.requestID, token))
        return JSONResponse.empty(status: .accepted)
    }

    /// `unshelve`: schedules the offloaded instance again (in `availability_zone` when given, 2.77+) and boots it
    /// from its shelved image.
    func unshelve(_ instance: Instance, argument: JSONValue, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireWriter("os_compute_api:os-shelve:unshelve")
        var zone: String??
        if case .object(let fields) = argument {
            guard context.apiVersion >= APIVersion(2, 77) else {
                throw StratusError.badRequest("Invalid input for field/attribute unshelve. Value: \(argument.shownInMessage). None is the only value before 2.77")
            }
            var body = BodyReader(fields, path: "unshelve")
            zone = context.apiVersion >= APIVersion(2, 91) ? try body.nullableString("availability_zone") : try body.string("availability_zone").map { .some($0) }
            try body.finish()
        } else if argument != .null {
            throw BodyReader.invalid("unshelve", argument, "\(argument.shownInMessage) is not of type 'object', 'null'")
        }
        if instance.locked, !auth.isAdmin { throw StratusError.conflict("Instance \(instance.id) is locked") }
        guard instance.vmState == .shelvedOffloaded, instance.taskState == nil else {
            throw StratusError.conflict("Cannot 'unshelve' instance \(instance.id) while it is in vm_state \(instance.vmState.rawValue)")
        }
        var instance = instance
        if let zone {
            if let zone { try await ServerController(api: api).checkZone(zone) }
            instance.requestedZone = zone
        }
        instance.taskState = .unshelving
        instance.fault = nil
        try await begin("unshelve", &instance)
        try await api.backend.requestSpecs.changeRequestSpec(of: instance) { [zone = instance.requestedZone] in $0.availabilityZone = zone }
        try await recordAction("unshelve", instance, auth: auth, context: context)
        try await api.conductorRPC.buildInstances([instance.id], credentials: credentials(auth, instance, context.requestID, token))
        return JSONResponse.empty(status: .accepted)
    }

    /// `restore`: a SOFT_DELETED server powered on again, as it was.
    func restore(_ instance: Instance, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireWriter("os_compute_api:os-deferred-delete:restore")
        try check("restore", instance, from: [.softDeleted], auth: auth)
        var instance = instance
        instance.deletedAt = nil
        instance.taskState = .restoring
        try await begin("restore", &instance)
        try await recordAction("restore", instance, auth: auth, context: context)
        try await api.computeRPC.operate(.restore, instance.id, on: instance.host!, credentials: credentials(auth, instance, context.requestID, token))
        return JSONResponse.empty(status: .accepted)
    }
}
