import Database
import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2/images/{id}/members`: the owner shares a `shared` image with projects; each member accepts or rejects.
struct ImageMemberController: Sendable {
    let api: ImageAPI

    struct CreateBody: Decodable, Sendable {
        let member: String
    }

    struct UpdateBody: Decodable, Sendable {
        let status: String
    }

    struct MemberList: Encodable, Sendable {
        let members: [MemberView]
        let schema = "/v2/schemas/members"
    }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("images/{image_id}/members", use: list)
        group.post("images/{image_id}/members", use: create)
        group.get("images/{image_id}/members/{member_id}", use: show)
        group.put("images/{image_id}/members/{member_id}", use: update)
        group.delete("images/{image_id}/members/{member_id}", use: delete)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let image = try await api.visibleImage(try imageID(context), auth: auth)
        var members = try await api.images.members(of: image.id)
        // A member sees only its own membership; the owner and admin see all.
        if !(auth.isAdmin || image.owner == auth.projectId) { members = members.filter { $0.memberId == auth.projectId } }
        return try JSONResponse.make(MemberList(members: members.map(MemberView.init)))
    }

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let image = try await api.modifiableImage(try imageID(context), auth: auth, action: "share")
        guard image.visibility == .shared else {
            throw StratusError.forbidden("Only shared images have members; image \(image.id) is \(image.visibility.rawValue).")
        }
        var request = request
        let body = try await request.decodeJSON(CreateBody.self, context: context)
        guard !body.member.isEmpty, body.member.count <= 255 else {
            throw StratusError.badRequest("Invalid value for 'member': a project id of 1 to 255 characters is required.")
        }
        let now = api.now
        let member = ImageMember(imageId: image.id, memberId: ProjectID(body.member), createdAt: now, updatedAt: now)
        try await api.images.addMember(member)
        return try JSONResponse.make(MemberView(member: member))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let (image, member) = try await find(context, auth: auth)
        guard auth.isAdmin || image.owner == auth.projectId || member.memberId == auth.projectId else {
            throw StratusError.notFound(kind: "image member", id: member.memberId.rawValue)
        }
        return try JSONResponse.make(MemberView(member: member))
    }

    @Sendable func update(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let (_, found) = try await find(context, auth: auth)
        // Only the member itself decides whether it accepts the image.
        guard found.memberId == auth.projectId, auth.canWrite else {
            throw StratusError.forbidden("Only the member project may accept or reject an image it was offered.")
        }
        var request = request
        let body = try await request.decodeJSON(UpdateBody.self, context: context)
        guard let status = ImageMember.Status(rawValue: body.status) else {
            throw StratusError.badRequest("Invalid value for 'status': must be one of pending, accepted, rejected.")
        }
        var member = found
        member.status = status
        member.updatedAt = api.now
        try await api.images.updateMember(member)
        return try JSONResponse.make(MemberView(member: member))
    }

    @Sendable func delete(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let (image, member) = try await find(context, auth: auth)
        try ImagePolicy.requireOwnerOrAdmin(image, auth: auth, action: "unshare")
        try await api.images.removeMember(image.id, member.memberId)
        return JSONResponse.empty()
    }

    private func find(_ context: StratusRequestContext, auth: AuthContext) async throws -> (Image, ImageMember) {
        let image = try await api.visibleImage(try imageID(context), auth: auth)
        let memberId = ProjectID(try context.parameters.require("member_id").removingPercentEncodingOrSelf)
        guard let member = try await api.images.member(image.id, memberId) else {
            throw StratusError.notFound(kind: "image member", id: memberId.rawValue)
        }
        return (image, member)
    }

    private func imageID(_ context: StratusRequestContext) throws -> ImageID {
        ImageID(try context.parameters.require("image_id"))
    }
}
