import Foundation
public import Database
public import HTTPSupport
public import Hummingbird
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

extension String {
    /// Path parameters arrive percent-encoded (`two%20words`); Glance decodes them.
    var removingPercentEncodingOrSelf: String { removingPercentEncoding ?? self }
}
