public import Hummingbird
import Logging
public import ServiceClients
import StratusCore

/// Turns every error into an OpenStack fault body, in the style of the service the path belongs to.
///
/// `StratusError` carries its own status and message; framework errors (`HTTPResponseError`) keep their status;
/// anything else is logged and becomes a 500 with a generic message, never the error's text.
public struct FaultMiddleware: RouterMiddleware {
    public typealias Context = StratusRequestContext
    let styles: [String: FaultStyle]
    let defaultStyle: FaultStyle

    /// `styles` maps a path's first component (`identity`) to its service's style.
    public init(styles: [String: FaultStyle], defaultStyle: FaultStyle = .nova) {
        self.styles = styles
        self.defaultStyle = defaultStyle
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let fault = self.fault(for: error, path: request.uri.path, context: context)
            return try fault.response(from: request, context: context)
        }
    }

    func fault(for error: any Error, path: String, context: Context) -> OpenStackFault {
        let first = path.split(separator: "/", maxSplits: 1).first.map(String.init) ?? ""
        let style = styles[first] ?? defaultStyle
        switch error {
        case let error as StratusError:
            let (status, message) = error.fault
            return OpenStackFault(status: .init(code: status), message: message, style: style)
        case let error as OpenStackFault:
            return OpenStackFault(status: error.status, message: error.message, style: style, type: error.type)
        case let error as HTTPError:
            return OpenStackFault(status: error.status, message: error.body ?? Self.message(for: error.status), style: style)
        case let error as any HTTPResponseError:
            return OpenStackFault(status: error.status, message: Self.message(for: error.status), style: style)
        default:
            context.logger.error("unexpected error: \(String(reflecting: error))", metadata: ["request_id": .string(context.requestID)])
            return OpenStackFault(
                status: .internalServerError,
                message: "An unexpected error prevented the server from fulfilling your request.",
                style: style
            )
        }
    }

    static func message(for status: HTTPResponse.Status) -> String {
        switch status.code {
        case 404: "The resource could not be found."
        case 405: "The method is not allowed for the requested URL."
        case 413: "Request is too large."
        default: OpenStackFault.reasonPhrase(status.code)
        }
    }
}
