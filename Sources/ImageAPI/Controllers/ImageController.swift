import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2/images`: create, list, show, update (JSON patch), delete, tags, deactivate and reactivate.
struct ImageController: Sendable {
    let api: ImageAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("images", use: create)
        group.get("images", use: list)
        group.get("images/{image_id}", use: show)
        group.patch("images/{image_id}", use: update)
        group.delete("images/{image_id}", use: delete)
        group.put("images/{image_id}/tags/{tag}", use: addTag)
        group.delete("images/{image_id}/tags/{tag}", use: removeTag)
        group.post("images/{image_id}/actions/deactivate", use: deactivate)
        group.post("images/{image_id}/actions/reactivate", use: reactivate)
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try ImagePolicy.requireWriter(auth, action: "create")
        guard let project = auth.projectId else { throw StratusError.forbidden("Creating an image needs a project-scoped token.") }
        var request = request
        let body = try await request.decodeJSON([String: JSONValue].self, context: context)
        let now = api.now
        var image = Image(id: .generateUUID(), name: nil, owner: project, createdAt: now, updatedAt: now)
        // Glance's image body is flat: base fields and custom properties side by side.
        for key in body.keys.sorted() {
            try ImageMutation.set(key, body[key]!, on: &image, auth: auth, creating: true)
        }
        try await api.images.create(image)
        return try JSONResponse.make(ImageView(image: image), status: .created, headers: [.location: api.baseURL + "/v2/images/\(image.id)"])
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let query = try ImageListQuery(request.uri.queryParameters)
        var memberships: [ImageID: ImageMember.Status] = [:]
        if let project = auth.projectId {
            for member in try await api.images.memberships(of: project) { memberships[member.imageId] = member.status }
        }
        let matching = query.sorted(try await api.images.list([]).filter {
            query.matches($0, auth: (auth.isAdmin, auth.projectId), membership: memberships[$0.id])
        })
        var start = 0
        if let marker = query.marker {
            guard let index = matching.firstIndex(where: { $0.id == marker }) else {
                throw StratusError.badRequest("marker \(marker.rawValue.prefix(64)) could not be found.")
            }
            start = index + 1
        }
        let page = Array(matching[start...].prefix(query.limit))
        var next: String?
        if let last = page.last, start + page.count < matching.count {
            next = "/v2/images?" + Self.queryString(request, replacingMarkerWith: last.id.rawValue)
        }
        return try JSONResponse.make(ImageList(images: page.map(ImageView.init), first: "/v2/images", next: next))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let image = try await api.visibleImage(try imageID(context), auth: try context.requireAuth())
        return try JSONResponse.make(ImageView(image: image))
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let contentType = request.headers[.contentType]?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        guard let contentType, JSONPatchOperation.mediaTypes.contains(contentType) else {
            throw StratusError.unsupportedMediaType(
                "Unsupported Content-Type: use application/openstack-images-v2.1-json-patch for PATCH."
            )
        }
        var request = request
        let operations = try await request.decodeJSON([JSONPatchOperation].self, context: context)
        let id = try imageID(context)
        let updated = try await api.backend.transaction { executor in
            let images = executor.images
            var image = try await ImagePolicy.modifiableImage(id, auth: auth, action: "update", images: images)
            for operation in operations { try operation.apply(to: &image, auth: auth) }
            image.updatedAt = api.now
            try await images.update(image)
            return image
        }
        return try JSONResponse.make(ImageView(image: updated))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let image = try await api.modifiableImage(try imageID(context), auth: auth, action: "delete")
        guard !image.protected else { throw StratusError.forbidden("Image \(image.id) is protected and cannot be deleted.") }
        try await api.images.delete(image.id)
        try await api.store.delete(image.id)
        return JSONResponse.empty()
    }

    @Sendable func addTag(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await changeTags(context) { tags, tag in
            guard tag.count <= 255 else { throw StratusError.badRequest("Invalid value for 'tag': is longer than 255 characters.") }
            if !tags.contains(tag) { tags.append(tag) }
        }
    }

    @Sendable func removeTag(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await changeTags(context) { tags, tag in
            guard let index = tags.firstIndex(of: tag) else { throw StratusError.notFound(kind: "tag", id: tag) }
            tags.remove(at: index)
        }
    }

    private func changeTags(
        _ context: StratusRequestContext, _ change: @Sendable @escaping (inout [String], String) throws -> Void
    ) async throws -> Response {
        let auth = try context.requireAuth()
        let id = try imageID(context)
        let tag = try context.parameters.require("tag").removingPercentEncodingOrSelf
        try await api.backend.transaction { executor in
            let images = executor.images
            var image = try await ImagePolicy.modifiableImage(id, auth: auth, action: "tag", images: images)
            try change(&image.tags, tag)
            image.updatedAt = api.now
            try await images.update(image)
        }
        return JSONResponse.empty()
    }

    @Sendable func deactivate(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await changeActivation(context, from: [.active, .deactivated], to: .deactivated)
    }

    @Sendable func reactivate(_ request: Request, context: StratusRequestContext) async throws -> Response {
        try await changeActivation(context, from: [.active, .deactivated], to: .active)
    }

    private func changeActivation(_ context: StratusRequestContext, from: [Image.Status], to: Image.Status) async throws -> Response {
        let auth = try context.requireAuth()
        let image = try await api.visibleImage(try imageID(context), auth: auth)
        guard auth.isAdmin else { throw StratusError.forbidden("Only an administrator may deactivate or reactivate an image.") }
        guard try await api.images.transition(image.id, from: from, to: to, at: api.now) else {
            throw StratusError.forbidden("Not allowed to change the activation of an image in status '\(image.status.rawValue)'.")
        }
        return JSONResponse.empty()
    }

    private func imageID(_ context: StratusRequestContext) throws -> ImageID {
        ImageID(try context.parameters.require("image_id"))
    }

    /// The request's query with `marker` set to `marker`, for the `next` link.
    static func queryString(_ request: Request, replacingMarkerWith marker: String) -> String {
        var items = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("marker=") }.map(String.init)
        items.append("marker=\(marker)")
        return items.joined(separator: "&")
    }
}
