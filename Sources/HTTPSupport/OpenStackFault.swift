public import Hummingbird
public import HTTPTypes
public import ServiceClients

/// A fault answers a request in its service's shape.
extension OpenStackFault: HTTPResponseError {
    public var headers: HTTPFields { [:] }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = style.body(status: status.code, reason: Self.reasonPhrase(status.code), message: message, type: type)
        return try JSONResponse.make(body, status: HTTPResponse.Status(code: status.code, reasonPhrase: Self.reasonPhrase(status.code)))
    }
}
