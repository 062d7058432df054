import Foundation
public import Logging
public import Database
public import HTTPSupport
public import Hummingbird
public import ServiceClients
public import StratusCore

/// The Glance-v2-compatible image service, mounted at `/image`.
public struct ImageAPI: Sendable {
    let backend: any SQLBackend
    let store: any ImageStore
    let clock: any WallClock
    /// `http://HOST:PORT/image`
    let baseURL: String
    let tokens: any TokenValidator

    public init(backend: any SQLBackend, store: any ImageStore, clock: any WallClock, baseURL: String, tokens: any TokenValidator) {
        self.backend = backend
        self.store = store
        self.clock = clock
        self.baseURL = baseURL
        self.tokens = tokens
    }

    var images: any ImageRepository { backend.images }
    var now: Timestamp { Timestamp(clock.now()) }

    /// Adds every image route under `/image`.
    public func addRoutes(to router: Router<StratusRequestContext>) {
        let root = router.group("image")
        ImageVersionController(baseURL: baseURL).addRoutes(to: root)
        let v2 = root.group("v2").add(middleware: AuthMiddleware(validator: tokens))
        ImageController(api: self).addRoutes(to: v2)
        ImageDataController(api: self).addRoutes(to: v2)
        ImageMemberController(api: self).addRoutes(to: v2)
        ImageSchemaController().addRoutes(to: v2)
    }

    /// The image if the caller may see it; 404 otherwise, as Glance hides what a project may not see.
    public func visibleImage(_ id: ImageID, auth: AuthContext) async throws -> Image {
        try await ImagePolicy.visibleImage(id, auth: auth, images: images)
    }

    /// The image if the caller may see it and change it; 404 when it may not see it, 403 when it may only see it.
    func modifiableImage(_ id: ImageID, auth: AuthContext, action: String) async throws -> Image {
        try await ImagePolicy.modifiableImage(id, auth: auth, action: action, images: images)
    }
}

extension ImageAPI {
    /// Stores the data of a queued image and activates it: queued -> saving -> active, with its checksums. On a failed
    /// upload the image is queued again with no data left behind; an image deleted meanwhile loses its data.
    public func receiveData(_ id: ImageID, from body: RequestBody, declaredSize: Int64?, logger: Logger) async throws {
        guard try await images.transition(id, from: [.queued], to: .saving, at: now) else {
            let current = try await images.get(id)?.status.rawValue ?? "deleted"
            throw StratusError.conflict("Image status transition from '\(current)' to 'saving' is not allowed.")
        }
        let stored: StoredImageData
        do {
            stored = try await store.write(id, from: body)
            if let declaredSize, declaredSize != stored.size {
                try await store.delete(id)
                throw StratusError.badRequest("The upload had \(stored.size) bytes, not the \(declaredSize) its Content-Length declared.")
            }
        } catch {
            _ = try? await images.transition(id, from: [.saving], to: .queued, at: now)
            if error is StratusError { throw error }
            logger.warning("image upload failed: \(String(describing: error))", metadata: ["image_id": .string(id.rawValue)])
            throw StratusError.badRequest("The image data could not be read completely; the image is still queued.")
        }
        let saved = try await backend.transaction { executor -> Bool in
            guard var current = try await executor.images.get(id), current.status == .saving else { return false }
            current.status = .active
            current.size = stored.size
            current.checksum = stored.md5
            current.osHashAlgo = "sha512"
            current.osHashValue = stored.sha512
            current.updatedAt = now
            return try await executor.images.update(current)
        }
        guard saved else {
            // The image was deleted while its data arrived.
            try await store.delete(id)
            throw StratusError.conflict("Image \(id) was deleted during the upload.")
        }
    }

    /// Removes an image and its data (a snapshot that failed).
    public func discardImage(_ id: ImageID) async throws {
        try await store.delete(id)
        try await images.delete(id)
    }

    /// Records a new queued image owned by `owner` (a server snapshot), as the compute API asks Glance to, in the disk
    /// and container formats of `base` (the image the server booted from) when there is one.
    public func createImage(name: String, owner: ProjectID, base: ImageID?, properties: [String: String]) async throws -> ImageID {
        let time = now
        var original: Image?
        if let base { original = try await images.get(base) }
        let image = Image(
            id: .generateUUID(), name: name, owner: owner, visibility: .private, diskFormat: original?.diskFormat ?? "raw",
            containerFormat: original?.containerFormat ?? "bare", createdAt: time, updatedAt: time, properties: properties
        )
        try await images.create(image)
        return image.id
    }
}

extension String {
    /// Path parameters arrive percent-encoded (`two%20words`); Glance decodes them.
    var removingPercentEncodingOrSelf: String { removingPercentEncoding ?? self }
}
