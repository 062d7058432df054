import Foundation
public import HTTPTypes

/// An error response in the shape of the service that answers it.
public struct OpenStackFault: Error, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    public let style: FaultStyle
    /// The error's class name where the style carries one (Neutron's `type`, e.g. `NetworkNotFound`).
    public let type: String?

    public init(status: HTTPResponse.Status, message: String, style: FaultStyle, type: String? = nil) {
        self.status = status
        self.message = message
        self.style = style
        self.type = type
    }

    /// The standard reason phrase (Keystone's fault `title`).
    public static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 409: "Conflict"
        case 413: "Request Entity Too Large"
        case 415: "Unsupported Media Type"
        case 416: "Range Not Satisfiable"
        case 429: "Too Many Requests"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        default: "Internal Server Error"
        }
    }
}
