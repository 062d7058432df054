import Foundation
public import Hummingbird
import HTTPTypes
public import Logging
import ServiceClients

/// Outermost middleware: puts `x-openstack-request-id` on every response and logs one line per request
/// (method, path, status, duration, request id, user).
public struct RequestLogMiddleware: RouterMiddleware {
    public typealias Context = StratusRequestContext
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var response: Response
        var context = context
        context.logger[metadataKey: "request_id"] = .string(context.requestID)
        do {
            response = try await next(request, context)
        } catch {
            // The fault middleware renders every error; anything reaching here is a framework error.
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            response = Response(status: status)
        }
        response.headers[HTTPField.Name("x-openstack-request-id")!] = context.requestID
        let elapsed = ContinuousClock.now - start
        let millis = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        logger.info(
            "\(request.method) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", millis))ms",
            metadata: ["request_id": .string(context.requestID), "user": .string(context.callerNote.userId ?? "-")]
        )
        return response
    }
}

