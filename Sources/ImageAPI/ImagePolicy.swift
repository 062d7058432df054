import Database
import HTTPSupport
import ServiceClients
import StratusCore

/// Glance's default policy: private images are their project's, public ones everyone's, community ones
/// everyone's to use, shared ones their members'; only admin publicizes or (de)activates; readers never change.
enum ImagePolicy {
    /// The image from `images` (the backend, or a transaction) if the caller may see it; 404 otherwise.
    static func visibleImage(_ id: ImageID, auth: AuthContext, images: any ImageRepository) async throws -> Image {
        guard let image = try await images.get(id), try await canSee(image, auth: auth, images: images) else {
            throw StratusError.notFound(kind: "image", id: id.rawValue)
        }
        return image
    }

    /// The image if the caller may also change it; 403 when it may only see it.
    static func modifiableImage(_ id: ImageID, auth: AuthContext, action: String, images: any ImageRepository) async throws -> Image {
        let image = try await visibleImage(id, auth: auth, images: images)
        try requireOwnerOrAdmin(image, auth: auth, action: action)
        return image
    }

    static func canSee(_ image: Image, auth: AuthContext, images: any ImageRepository) async throws -> Bool {
        var membership: ImageMember.Status?
        if image.visibility == .shared, let project = auth.projectId {
            membership = try await images.member(image.id, project)?.status
        }
        return visible(image, owned: image.owner == auth.projectId, isAdmin: auth.isAdmin, membership: membership)
    }

    /// Whether a caller sees an image, given its membership of it (nil: none), whatever the status.
    static func visible(_ image: Image, owned: Bool, isAdmin: Bool, membership: ImageMember.Status?) -> Bool {
        if owned || isAdmin { return true }
        switch image.visibility {
        case .public, .community: return true
        case .private: return false
        case .shared: return membership != nil
        }
    }

    static func requireOwnerOrAdmin(_ image: Image, auth: AuthContext, action: String) throws {
        guard auth.isAdmin || (image.owner == auth.projectId && auth.canWrite) else {
            throw StratusError.forbidden("You are not authorized to \(action) image \(image.id).")
        }
    }

    static func requireWriter(_ auth: AuthContext, action: String) throws {
        guard auth.canWrite, auth.projectId != nil || auth.isAdmin else {
            throw StratusError.forbidden("You are not authorized to \(action) images.")
        }
    }

    static func checkVisibility(_ visibility: Image.Visibility, auth: AuthContext) throws {
        if visibility == .public && !auth.isAdmin {
            throw StratusError.forbidden("You are not authorized to set the visibility of an image to public.")
        }
    }
}
