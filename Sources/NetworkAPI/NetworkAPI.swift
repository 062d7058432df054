import Database
public import HTTPSupport
public import Hummingbird
public import ServiceClients
import StratusCore

/// The Neutron-v2.0-compatible network service, mounted at `/networking`.
public struct NetworkAPI: Sendable {
    public let service: NetworkService
    /// `http://HOST:PORT/networking`
    let baseURL: String
    let tokens: any TokenValidator

    public init(service: NetworkService, baseURL: String, tokens: any TokenValidator) {
        self.service = service
        self.baseURL = baseURL
        self.tokens = tokens
    }

    /// Adds every network route under `/networking`.
    public func addRoutes(to router: Router<StratusRequestContext>) {
        let root = router.group("networking")
        root.get { _, _ in try JSONResponse.make(versions) }
        let v2 = root.group("v2.0").add(middleware: AuthMiddleware(validator: tokens))
        ExtensionController(baseURL: baseURL).addRoutes(to: v2)
        NetworkController(api: self).addRoutes(to: v2)
        SubnetController(api: self).addRoutes(to: v2)
        PortController(api: self).addRoutes(to: v2)
        SecurityGroupController(api: self).addRoutes(to: v2)
        SecurityGroupRuleController(api: self).addRoutes(to: v2)
        AutoAllocatedTopologyController(api: self).addRoutes(to: v2)
        QuotaController(api: self).addRoutes(to: v2)
    }

    /// Neutron's version document: the one version, v2.0.
    var versions: JSONValue {
        .object(["versions": .array([
            .object([
                "id": .string("v2.0"), "status": .string("CURRENT"),
                "links": .array([.object(["href": .string(baseURL + "/v2.0/"), "rel": .string("self")])]),
            ])
        ])])
    }

    /// `{resource: view}` projected to the request's `fields`, as Neutron's show does.
    func show(_ resource: String, _ view: [String: JSONValue], request: Request, status: HTTPResponse.Status = .ok) throws -> Response {
        let fields = request.uri.queryParameters.getAll("fields").flatMap { $0.split(separator: ",").map(String.init) }
        let projected = fields.isEmpty ? view : view.filter { fields.contains($0.key) }
        return try JSONResponse.make(JSONValue.object([resource: .object(projected)]), status: status)
    }

    /// A list response: `objects` filtered, sorted and paged by the request's query.
    func list(
        _ collection: String, _ objects: [[String: JSONValue]], attributes: Set<String>, request: Request, kind: NeutronError.Kind
    ) throws -> Response {
        let query = try ListQuery(request.uri.queryParameters, attributes: attributes)
        let body = try query.page(objects, collection: collection, baseURL: baseURL + "/v2.0/" + collection) {
            NeutronError.notFound(kind, $0)
        }
        return try JSONResponse.make(JSONValue.object(body))
    }
}

extension Request {
    /// The attributes of `resource` in the JSON body (`{"network": {...}}`).
    mutating func attributes(_ resource: String, context: StratusRequestContext) async throws -> Attributes {
        try Attributes(try await decodeJSON([String: JSONValue].self, context: context), resource: resource)
    }
}
