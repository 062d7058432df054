public import HTTPSupport
public import Hummingbird
public import ServiceClients
import StratusCore

/// The Cinder-v3-compatible volume service, mounted at `/volume`: `/volume/v3/{project_id}/...` and, as Cinder 3.67+
/// allows, `/volume/v3/...` without the project.
public struct VolumeAPI: Sendable {
    public let service: VolumeService
    /// `http://HOST:PORT/volume`
    let baseURL: String
    let tokens: any TokenValidator

    static let minimumVersion = APIVersion(3, 0)
    static let maximumVersion = APIVersion(3, 70)
    /// The attachments API, and its `os-complete` action.
    static let attachmentsVersion = APIVersion(3, 27)
    static let attachmentCompleteVersion = APIVersion(3, 44)

    public init(service: VolumeService, baseURL: String, tokens: any TokenValidator) {
        self.service = service
        self.baseURL = baseURL
        self.tokens = tokens
    }

    /// Adds every volume route under `/volume`.
    public func addRoutes(to router: Router<StratusRequestContext>) {
        let root = router.group("volume")
        root.get { _, _ in try JSONResponse.make(versions, status: .multipleChoices) }
        root.get("v3") { _, _ in try JSONResponse.make(versions) }
        let microversions = MicroversionMiddleware(service: "volume", minimum: Self.minimumVersion, maximum: Self.maximumVersion, legacyHeader: nil)
        let projectless = root.group("v3").add(middleware: microversions).add(middleware: AuthMiddleware(validator: tokens))
        let scoped = root.group("v3/{project_id}").add(middleware: microversions).add(middleware: AuthMiddleware(validator: tokens))
            .add(middleware: ProjectPathMiddleware())
        for group in [projectless, scoped] {
            VolumeController(api: self).addRoutes(to: group)
            AttachmentController(api: self).addRoutes(to: group)
            SnapshotController(api: self).addRoutes(to: group)
            VolumeTypeController(api: self).addRoutes(to: group)
            QuotaController(api: self).addRoutes(to: group)
        }
    }

    /// Cinder's version document: v3.0 with its microversion range.
    var versions: JSONValue {
        .object(["versions": .array([
            .object([
                "id": .string("v3.0"), "status": .string("CURRENT"), "updated": .string("2023-08-31T00:00:00Z"),
                "min_version": .string(Self.minimumVersion.description), "version": .string(Self.maximumVersion.description),
                "links": .array([
                    .object(["href": .string("https://docs.openstack.org/"), "rel": .string("describedby"), "type": .string("text/html")]),
                    .object(["href": .string(baseURL + "/v3/"), "rel": .string("self")]),
                ]),
                "media-types": .array([
                    .object(["base": .string("application/json"), "type": .string("application/vnd.openstack.volume+json;version=3")])
                ]),
            ])
        ])])
    }

    func views(_ context: StratusRequestContext) throws -> VolumeViews {
        VolumeViews(baseURL: baseURL, version: context.apiVersion, isAdmin: try context.requireAuth().isAdmin)
    }

    /// 404 unless the request's microversion is at least `version`, as Cinder answers a method it does not have.
    static func require(_ version: APIVersion, _ context: StratusRequestContext) throws {
        guard context.apiVersion >= version else { throw CinderFault.versionNotFound() }
    }

    /// `{key: object}`.
    static func respond(_ key: String, _ object: [String: JSONValue], status: HTTPResponse.Status = .ok) throws -> Response {
        try JSONResponse.make(JSONValue.object([key: .object(object)]), status: status)
    }

    /// A list page: `{collection: [...], collection_links: [next]}` (links only when there is a next page).
    static func respond(_ collection: String, page: (items: [[String: JSONValue]], next: String?)) throws -> Response {
        var body: [String: JSONValue] = [collection: .array(page.items.map(JSONValue.object))]
        if let next = page.next {
            body[collection + "_links"] = .array([.object(["href": .string(next), "rel": .string("next")])])
        }
        return try JSONResponse.make(JSONValue.object(body))
    }
}

/// For `/v3/{project_id}/...`: the project in the path must be the token's (or the caller an admin), as Cinder
/// refuses a malformed request URL.
struct ProjectPathMiddleware: RouterMiddleware {
    typealias Context = StratusRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let auth = try context.requireAuth()
        let project = context.parameters.get("project_id")
        guard auth.isAdmin || project == auth.projectId?.rawValue else { throw StratusError.badRequest("Malformed request url") }
        return try await next(request, context)
    }
}
