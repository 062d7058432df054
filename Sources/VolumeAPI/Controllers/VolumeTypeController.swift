import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/types`: the volume types (read only), and `/types/default` (3.62+).
struct VolumeTypeController: Sendable {
    let api: VolumeAPI
    var service: VolumeService { api.service }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("types", use: list)
        group.get("types/default", use: defaultType)
        group.get("types/{id}", use: show)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeService.requireReader(try context.requireAuth(), rule: "volume_extension:types_manage")
        let views = try api.views(context)
        return try VolumeAPI.respond("volume_types", page: (try await service.volumeTypes().map(views.volumeType), nil))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeService.requireReader(try context.requireAuth(), rule: "volume_extension:types_manage")
        let wanted = try context.parameters.require("id")
        guard let type = try await service.volumeTypes().first(where: { $0.id.rawValue == wanted || $0.name == wanted }) else {
            throw OpenStackFault(status: .notFound, message: "Volume type \(wanted) could not be found.", style: .nova)
        }
        return try VolumeAPI.respond("volume_type", try api.views(context).volumeType(type))
    }

    @Sendable func defaultType(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try VolumeAPI.require(APIVersion(3, 62), context)
        try VolumeService.requireReader(try context.requireAuth(), rule: "volume_extension:types_manage")
        return try VolumeAPI.respond("volume_type", try api.views(context).volumeType(try await service.volumeType(named: nil)))
    }
}
