import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceClients
import StratusCore
import Testing

/// A small application with the shared middleware and routes that fail in every way a handler can.
func makeApplication() -> some ApplicationProtocol {
    var logger = Logger(label: "stratus.test.http")
    logger.logLevel = .critical
    let router = Router(context: StratusRequestContext.self)
    router.add(middleware: RequestLogMiddleware(logger: logger))
    router.add(middleware: FaultMiddleware(styles: ["identity": .keystone]))
    for prefix in ["identity", "compute"] {
        let group = router.group(RouterPath(prefix))
        group.get("error/{code}") { _, context -> Response in
            let code = try context.parameters.require("code", as: Int.self)
            switch code {
            case 400: throw StratusError.badRequest("bad field")
            case 401: throw StratusError.unauthorized("who are you")
            case 403: throw StratusError.forbidden("not you")
            case 404: throw StratusError.notFound(kind: "thing", id: "x1")
            case 409: throw StratusError.conflict("taken")
            case 413: throw StratusError.payloadTooLarge("too big")
            case 415: throw StratusError.unsupportedMediaType("what media")
            case 503: throw StratusError.unavailable("later")
            default: throw CancellationError()
            }
        }
        group.post("echo") { request, context -> Response in
            struct Body: Codable { let name: String; let size: Int }
            var request = request
            let body = try await request.decodeJSON(Body.self, context: context)
            return try JSONResponse.make(body)
        }
    }
    router.addMethodNotAllowedRoutes()
    return Application(router: router, logger: logger)
}

func json(_ body: ByteBuffer) throws -> [String: [String: Any]] {
    try #require(JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: [String: Any]])
}

@Suite("Fault middleware")
struct FaultMiddlewareTests {
    static let novaNames = [
        400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound", 409: "conflictingRequest",
        413: "overLimit", 415: "badMediaType", 503: "serviceUnavailable", 500: "computeFault",
    ]

    @Test(arguments: [400, 401, 403, 404, 409, 413, 415, 503, 500])
    func novaFaultBodies(code: Int) async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/compute/error/\(code)", method: .get) { response in
                #expect(Int(response.status.code) == code)
                let body = try json(response.body)
                let fault = try #require(body[Self.novaNames[code]!])
                #expect(body.count == 1)
                #expect(fault["code"] as? Int == code)
                let message = try #require(fault["message"] as? String)
                #expect(!message.isEmpty)
                if code == 404 { #expect(message == "Could not find thing: x1.") }
                // An unexpected error never leaks its description.
                if code == 500 { #expect(!message.contains("Cancellation")) }
                #expect(response.headers[.contentType] == "application/json")
            }
        }
    }

    @Test(arguments: [400, 401, 403, 404, 409, 413, 500])
    func keystoneFaultBodies(code: Int) async throws {
        let titles = [400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
                      413: "Request Entity Too Large", 500: "Internal Server Error"]
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/identity/error/\(code)", method: .get) { response in
                #expect(Int(response.status.code) == code)
                let error = try #require(try json(response.body)["error"])
                #expect(error["code"] as? Int == code)
                #expect(error["title"] as? String == titles[code])
                #expect((error["message"] as? String)?.isEmpty == false)
            }
        }
    }

    @Test func everyResponseCarriesARequestID() async throws {
        try await makeApplication().test(.router) { client in
            var seen: Set<String> = []
            for uri in ["/compute/error/404", "/identity/error/400", "/nowhere"] {
                try await client.execute(uri: uri, method: .get) { response in
                    let id = try #require(response.headers[HTTPField.Name("x-openstack-request-id")!])
                    #expect(id.hasPrefix("req-") && id.count == 40)
                    seen.insert(id)
                }
            }
            #expect(seen.count == 3)
        }
    }

    @Test func unknownRouteIs404AndWrongMethodIs405() async throws {
        try await makeApplication().test(.router) { client in
            try await client.execute(uri: "/compute/nothing/here", method: .get) { response in
                #expect(response.status == .notFound)
                let fault = try json(response.body)["itemNotFound"]
                #expect(fault?["code"] as? Int == 404)
            }
            try await client.execute(uri: "/identity/echo", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                let fault = try json(response.body)["error"]
                #expect(fault?["code"] as? Int == 405)
            }
            try await client.execute(uri: "/compute/echo", method: .get) { response in
                #expect(response.status == .methodNotAllowed)
                let fault = try json(response.body)["badMethod"]
                #expect(fault?["code"] as? Int == 405)
            }
        }
    }
}

@Suite("JSON bodies")
struct JSONBodyTests {
    func post(
        _ body: String, headers: HTTPFields = [.contentType: "application/json"], mode: TestingSetup = .router
    ) async throws -> (Int, [String: [String: Any]]) {
        try await makeApplication().test(mode) { client in
            try await client.execute(uri: "/compute/echo", method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
                let object = try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
                return (Int(response.status.code), object as? [String: [String: Any]] ?? [:])
            }
        }
    }

    @Test func validBodyDecodes() async throws {
        let (status, _) = try await post(#"{"name": "a", "size": 3}"#)
        #expect(status == 200)
    }

    @Test(arguments: [
        (#"{"name": "a", "size": "#, "not valid JSON"),
        (#"{"name": 5, "size": 3}"#, "'name'"),
        (#"{"name": "a"}"#, "'size' is a required property"),
        (#"{"name": null, "size": 1}"#, "'name'"),
        ("", "empty"),
        ("[1, 2]", "expected"),
    ])
    func badBodiesAre400NamingTheProblem(body: String, expected: String) async throws {
        let (status, fault) = try await post(body)
        #expect(status == 400)
        let message = try #require(fault["badRequest"]?["message"] as? String)
        #expect(message.contains(expected), "\(message)")
    }

    @Test func oversizedBodyIs413() async throws {
        let big = #"{"name": ""# + String(repeating: "x", count: 10 * 1024 * 1024) + #"", "size": 1}"#
        let (status, fault) = try await post(big)
        #expect(status == 413)
        #expect(fault["overLimit"]?["code"] as? Int == 413)
        // Over real sockets too, where the body arrives in pieces.
        let (live, _) = try await post(big, mode: .live)
        #expect(live == 413)
    }
}
