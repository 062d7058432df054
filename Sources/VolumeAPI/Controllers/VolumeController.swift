import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/volumes`: create, list, show, update, delete, metadata and actions.
struct VolumeController: Sendable {
    let api: VolumeAPI
    var service: VolumeService { api.service }

    static let filterable = [
        "name": "name", "status": "status", "bootable": "bootable", "availability_zone": "availability_zone", "volume_type": "volume_type",
        "project_id": "os-vol-tenant-attr:tenant_id",
    ]

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("volumes", use: create)
        group.get("volumes", use: list)
        group.get("volumes/detail", use: detail)
        group.get("volumes/{id}", use: show)
        group.put("volumes/{id}", use: update)
        group.delete("volumes/{id}", use: delete)
        group.post("volumes/{id}/action", use: action)
        group.get("volumes/{id}/metadata", use: metadata)
        group.post("volumes/{id}/metadata", use: mergeMetadata)
        group.put("volumes/{id}/metadata", use: replaceMetadata)
        group.get("volumes/{id}/metadata/{key}", use: metadataItem)
        group.put("volumes/{id}/metadata/{key}", use: setMetadataItem)
        group.delete("volumes/{id}/metadata/{key}", use: deleteMetadataItem)
    }

    func id(_ context: StratusRequestContext) throws -> VolumeID { VolumeID(try context.parameters.require("id")) }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let body = try await RequestBody.read(request, "volume", context: context)
        var create = VolumeCreate()
        create.size = try body.int("size")
        create.name = try body.string("name") ?? body.string("display_name")
        create.description = try body.string("description") ?? body.string("display_description")
        create.metadata = try body.strings("metadata") ?? [:]
        create.imageId = try (body.string("imageRef") ?? body.string("image_id")).map { ImageID($0) }
        create.snapshotId = try body.string("snapshot_id").map { SnapshotID($0) }
        create.sourceVolumeId = try body.string("source_volid").map { VolumeID($0) }
        create.availabilityZone = try body.string("availability_zone")
        create.volumeType = try body.string("volume_type")
        if try body.bool("multiattach") == true { throw CinderFault.invalidInput("multiattach volumes are not supported.") }
        let volume = try await service.createVolume(create, auth: try context.requireAuth())
        return try VolumeAPI.respond("volume", try await view(volume, context, extended: false), status: .accepted)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, path: "volumes") { $0.map(VolumeViews.summary) }
    }

    @Sendable func detail(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, path: "volumes/detail") { $0 }
    }

    private func listing(
        _ request: Request, context: StratusRequestContext, path: String, _ shape: ([[String: JSONValue]]) -> [[String: JSONValue]]
    ) async throws -> Response {
        let auth = try context.requireAuth()
        let query = try VolumeListQuery(request.uri.queryParameters, filterable: Self.filterable)
        let allProjects = query.allProjects && auth.isAdmin
        let volumes = try await service.volumes(auth: auth, allProjects: allProjects)
        let attachments = try await service.attachedAttachments(project: allProjects ? nil : auth.projectId)
        let types = Dictionary(uniqueKeysWithValues: try await service.volumeTypes().map { ($0.id, $0) })
        let views = try api.views(context)
        let all = volumes.map { volume in
            views.volume(volume, type: types[volume.volumeTypeId], attachments: attachments[volume.id] ?? [], backendName: service.backend.name)
        }
        let project = auth.projectId?.rawValue ?? ""
        var page = try query.page(all, collectionURL: "\(api.baseURL)/v3/\(project)/\(path)") { CinderFault.markerNotFound($0) }
        page.items = shape(page.items)
        return try VolumeAPI.respond("volumes", page: page)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let volume = try await service.volume(try id(context), auth: try context.requireAuth())
        return try VolumeAPI.respond("volume", try await view(volume, context))
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let body = try await RequestBody.read(request, "volume", context: context)
        var update = VolumeUpdate()
        update.name = try body.string("name") ?? body.string("display_name")
        update.description = try body.string("description") ?? body.string("display_description")
        update.metadata = try body.strings("metadata")
        let volume = try await service.updateVolume(try id(context), update, auth: try context.requireAuth())
        return try VolumeAPI.respond("volume", try await view(volume, context, extended: false))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deleteVolume(try id(context), auth: try context.requireAuth())
        return JSONResponse.empty(status: .accepted)
    }

    /// `os-extend`, `os-set_bootable`, `os-reset_status`.
    @Sendable func action(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let body = try await RequestBody.object(request, context: context)
        let auth = try context.requireAuth()
        let volume = try id(context)
        guard body.count == 1, let name = body.keys.first else {
            throw StratusError.badRequest("The request body must name exactly one action.")
        }
        let arguments = RequestBody(fields: RequestBody(fields: body).object(name) ?? [:])
        switch name {
        case "os-extend":
            guard let size = try arguments.int("new_size") else {
                throw CinderFault.invalidInput("Invalid input for field/attribute new_size. Value: None. 'new_size' is a required property")
            }
            try await service.extendVolume(volume, to: size, auth: auth)
            return JSONResponse.empty(status: .accepted)
        case "os-set_bootable":
            guard let bootable = try arguments.bool("bootable") else {
                throw CinderFault.invalidInput("Invalid input for field/attribute bootable. Value: None. 'bootable' is a required property")
            }
            try await service.setBootable(volume, bootable, auth: auth)
            return JSONResponse.empty(status: .ok)
        case "os-reset_status":
            let status = try arguments.string("status").map { text in
                guard let status = Volume.Status(rawValue: text) else { throw CinderFault.invalidInput("'\(text.prefix(32))' is not a valid volume status") }
                return status
            }
            let attachStatus = try arguments.string("attach_status").map { text in
                guard let status = Volume.AttachStatus(rawValue: text) else {
                    throw CinderFault.invalidInput("'\(text.prefix(32))' is not a valid attach status")
                }
                return status
            }
            guard status != nil || attachStatus != nil else { throw CinderFault.invalidInput("Must specify 'status', 'attach_status' or 'migration_status' for update.") }
            try await service.resetStatus(volume, status: status, attachStatus: attachStatus, auth: auth)
            return JSONResponse.empty(status: .accepted)
        default:
            throw StratusError.badRequest("There is no such action: \(name.prefix(64))")
        }
    }

    @Sendable func metadata(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let volume = try await service.volume(try id(context), auth: try context.requireAuth())
        return try VolumeAPI.respond("metadata", volume.metadata.mapValues(JSONValue.string))
    }

    @Sendable func mergeMetadata(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let pairs = try await metadataBody(request, context)
        let metadata = try await service.changeMetadata(try id(context), auth: try context.requireAuth()) { $0.merge(pairs) { $1 } }
        return try VolumeAPI.respond("metadata", metadata.mapValues(JSONValue.string))
    }

    @Sendable func replaceMetadata(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let pairs = try await metadataBody(request, context)
        let metadata = try await service.changeMetadata(try id(context), auth: try context.requireAuth()) { $0 = pairs }
        return try VolumeAPI.respond("metadata", metadata.mapValues(JSONValue.string))
    }

    @Sendable func metadataItem(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let volume = try await service.volume(try id(context), auth: try context.requireAuth())
        let key = try context.parameters.require("key")
        guard let value = volume.metadata[key] else { throw Self.metadataNotFound(volume.id, key) }
        return try VolumeAPI.respond("meta", [key: .string(value)])
    }

    @Sendable func setMetadataItem(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let key = try context.parameters.require("key")
        let body = try await RequestBody.object(request, context: context)
        guard case .object(let meta)? = body["meta"], meta.count == 1, case .string(let value)? = meta[key] else {
            throw StratusError.badRequest("Request body and URI mismatch")
        }
        _ = try await service.changeMetadata(try id(context), auth: try context.requireAuth()) { $0[key] = value }
        return try VolumeAPI.respond("meta", [key: .string(value)])
    }

    @Sendable func deleteMetadataItem(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let key = try context.parameters.require("key")
        let volume = try id(context)
        _ = try await service.changeMetadata(volume, auth: try context.requireAuth()) { metadata in
            guard metadata.removeValue(forKey: key) != nil else { throw Self.metadataNotFound(volume, key) }
        }
        return JSONResponse.empty(status: .ok)
    }

    private func metadataBody(_ request: Request, _ context: StratusRequestContext) async throws -> [String: String] {
        let body = RequestBody(fields: try await RequestBody.object(request, context: context))
        guard let pairs = try body.strings("metadata") else { throw StratusError.badRequest("Missing required element 'metadata' in request body.") }
        return pairs
    }

    static func metadataNotFound(_ volume: VolumeID, _ key: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Volume \(volume) has no metadata with key \(key).", style: .nova)
    }

    /// The volume's full view for this request, with its type and completed attachments. Cinder's extended attributes
    /// (`os-vol-tenant-attr:…`, `os-vol-host-attr:…`, `os-vol-mig-status-attr:…`) extend show and list only: a create's
    /// or an update's answer (not `extended`) has none.
    func view(_ volume: Volume, _ context: StratusRequestContext, extended: Bool = true) async throws -> [String: JSONValue] {
        let type = try await service.volumeTypes().first { $0.id == volume.volumeTypeId }
        let attachments = try await service.attachedAttachments(project: volume.projectId)[volume.id] ?? []
        let view = try api.views(context).volume(volume, type: type, attachments: attachments, backendName: service.backend.name)
        return extended ? view : view.filter { !$0.key.hasPrefix("os-vol-") }
    }
}
