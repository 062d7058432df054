import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/snapshots`: create, list, show, update, delete.
struct SnapshotController: Sendable {
    let api: VolumeAPI
    var service: VolumeService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("snapshots", use: create)
        group.get("snapshots", use: list)
        group.get("snapshots/detail", use: detail)
        group.get("snapshots/{id}", use: show)
        group.put("snapshots/{id}", use: update)
        group.delete("snapshots/{id}", use: delete)
    }

    func id(_ context: StratusRequestContext) throws -> SnapshotID { SnapshotID(try context.parameters.require("id")) }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let body = try await RequestBody.read(request, "snapshot", context: context)
        guard let volume = try body.string("volume_id") else {
            throw CinderFault.invalidInput("Invalid input for field/attribute volume_id. Value: None. 'volume_id' is a required property")
        }
        var create = SnapshotCreate(volumeId: VolumeID(volume))
        create.name = try body.string("name") ?? body.string("display_name")
        create.description = try body.string("description") ?? body.string("display_description")
        create.metadata = try body.strings("metadata") ?? [:]
        create.force = try body.bool("force") ?? false
        let snapshot = try await service.createSnapshot(create, auth: try context.requireAuth())
        return try VolumeAPI.respond("snapshot", try api.views(context).snapshot(snapshot), status: .accepted)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detail: false)
    }

    @Sendable func detail(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await listing(request, context: context, detail: true)
    }

    private func listing(_ request: Request, context: StratusRequestContext, detail: Bool) async throws -> Response {
        let auth = try context.requireAuth()
        let query = try VolumeListQuery(
            request.uri.queryParameters,
            filterable: ["name": "name", "status": "status", "volume_id": "volume_id", "project_id": "os-extended-snapshot-attributes:project_id"]
        )
        let snapshots = try await service.snapshots(auth: auth, allProjects: query.allProjects)
        let views = try api.views(context)
        let project = auth.projectId?.rawValue ?? ""
        var page = try query.page(
            snapshots.map(views.snapshot), collectionURL: "\(api.baseURL)/v3/\(project)/snapshots\(detail ? "/detail" : "")"
        ) { CinderFault.snapshotNotFound($0) }
        if !detail { page.items = page.items.map(VolumeViews.snapshotSummary) }
        return try VolumeAPI.respond("snapshots", page: page)
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let snapshot = try await service.snapshot(try id(context), auth: try context.requireAuth())
        return try VolumeAPI.respond("snapshot", try api.views(context).snapshot(snapshot))
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let body = try await RequestBody.read(request, "snapshot", context: context)
        let snapshot = try await service.updateSnapshot(
            try id(context), name: try body.string("name") ?? body.string("display_name"),
            description: try body.string("description") ?? body.string("display_description"), auth: try context.requireAuth()
        )
        return try VolumeAPI.respond("snapshot", try api.views(context).snapshot(snapshot))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await service.deleteSnapshot(try id(context), auth: try context.requireAuth())
        return JSONResponse.empty(status: .accepted)
    }
}
