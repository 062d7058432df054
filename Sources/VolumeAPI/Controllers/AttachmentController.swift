import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/attachments` (microversion 3.27+; `os-complete` 3.44+), as Nova drives it.
struct AttachmentController: Sendable {
    let api: VolumeAPI
    var service: VolumeService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("attachments", use: create)
        group.get("attachments", use: list)
        group.get("attachments/detail", use: detail)
        group.get("attachments/{id}", use: show)
        group.put("attachments/{id}", use: update)
        group.delete("attachments/{id}", use: delete)
        group.post("attachments/{id}/action", use: action)
    }

    func id(_ context: StratusRequestContext) throws -> AttachmentID { AttachmentID(try context.parameters.require("id")) }

    /// The connector's host and mount point (Nova's connector carries `mountpoint` once it picked the device).
    static func connector(_ fields: [String: JSONValue]) throws -> AttachmentConnector {
        let body = RequestBody(fields: fields)
        return AttachmentConnector(host: try body.string("host"), mountpoint: try body.string("mountpoint"))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeAPI.require(VolumeAPI.attachmentsVersion, context)
        let body = try await RequestBody.read(request, "attachment", context: context)
        guard let volume = try body.string("volume_uuid") else {
            throw CinderFault.invalidInput("Invalid input for field/attribute volume_uuid. Value: None. 'volume_uuid' is a required property")
        }
        // No connector, or an empty one (openstacksdk sends `{}`): only a reservation, as Cinder.
        let connector = try body.object("connector").flatMap { $0.isEmpty ? nil : $0 }.map(Self.connector)
        var mode = "rw"
        if context.apiVersion >= APIVersion(3, 54), let asked = try body.string("mode") { mode = asked }
        let attachment = try await service.createAttachment(
            volume: VolumeID(volume), instance: try body.string("instance_uuid"), connector: connector, mode: mode, auth: try context.requireAuth()
        )
        return try VolumeAPI.respond("attachment", VolumeViews.attachment(attachment, detail: true))
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detail: false)
    }

    @Sendable func detail(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detail: true)
    }

    private func listing(_ request: Request, context: StratusRequestContext, detail: Bool) async throws -> Response {
        try VolumeAPI.require(VolumeAPI.attachmentsVersion, context)
        let auth = try context.requireAuth()
        let query = try VolumeListQuery(
            request.uri.queryParameters, filterable: ["volume_id": "volume_id", "instance_id": "instance", "status": "status"]
        )
        let attachments = try await service.attachments(auth: auth, allProjects: query.allProjects)
        let project = auth.projectId?.rawValue ?? ""
        let page = try query.page(
            attachments.map { VolumeViews.attachment($0, detail: detail) },
            collectionURL: "\(api.baseURL)/v3/\(project)/attachments\(detail ? "/detail" : "")"
        ) { CinderFault.attachmentNotFound($0) }
        return try VolumeAPI.respond("attachments", page: page)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeAPI.require(VolumeAPI.attachmentsVersion, context)
        let attachment = try await service.attachment(try id(context), auth: try context.requireAuth())
        return try VolumeAPI.respond("attachment", VolumeViews.attachment(attachment, detail: true))
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeAPI.require(VolumeAPI.attachmentsVersion, context)
        let body = try await RequestBody.read(request, "attachment", context: context)
        guard let fields = body.object("connector") else {
            throw CinderFault.invalidInput("Invalid input for field/attribute connector. Value: None. 'connector' is a required property")
        }
        var connector = try Self.connector(fields)
        // The device may also come beside the connector.
        if connector.mountpoint == nil { connector.mountpoint = try body.string("mountpoint") }
        let attachment = try await service.updateAttachment(try id(context), connector: connector, auth: try context.requireAuth())
        return try VolumeAPI.respond("attachment", VolumeViews.attachment(attachment, detail: true))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeAPI.require(VolumeAPI.attachmentsVersion, context)
        let remaining = try await service.deleteAttachment(try id(context), auth: try context.requireAuth())
        return try VolumeAPI.respond("attachments", page: (remaining.map { VolumeViews.attachment($0, detail: false) }, nil))
    }

    /// `os-complete`.
    @Sendable func action(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeAPI.require(VolumeAPI.attachmentCompleteVersion, context)
        let body = try await RequestBody.object(request, context: context)
        guard body.keys.contains("os-complete") else {
            throw StratusError.badRequest("There is no such action: \(body.keys.sorted().joined(separator: ", ").prefix(64))")
        }
        try await service.completeAttachment(try id(context), auth: try context.requireAuth())
        return JSONResponse.empty()
    }
}
