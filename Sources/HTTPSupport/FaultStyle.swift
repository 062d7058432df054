import ServiceClients

extension FaultStyle {
    /// The JSON body for a fault with this status and message; `type` is the error's class name where the style has one.
    func body(status: Int, reason: String, message: String, type: String? = nil) -> FaultValue {
        switch self {
        case .keystone:
            .object(["error": .object(["code": .int(status), "message": .string(message), "title": .string(reason)])])
        case .nova:
            .object([Self.novaName(status): .object(["code": .int(status), "message": .string(message)])])
        case .glance:
            .object(["code": .string("\(status) \(reason)"), "title": .string(reason), "message": .string(message)])
        case .neutron:
            .object([
                "NeutronError": .object([
                    "type": .string(type ?? Self.neutronType(status)), "message": .string(message), "detail": .string(""),
                ])
            ])
        }
    }

    /// The webob exception class Neutron names when no specific error applies.
    static func neutronType(_ status: Int) -> String {
        switch status {
        case 400: "HTTPBadRequest"
        case 401: "HTTPUnauthorized"
        case 403: "HTTPForbidden"
        case 404: "HTTPNotFound"
        case 405: "HTTPMethodNotAllowed"
        case 409: "HTTPConflict"
        case 413: "HTTPRequestEntityTooLarge"
        case 415: "HTTPUnsupportedMediaType"
        case 503: "HTTPServiceUnavailable"
        default: "HTTPInternalServerError"
        }
    }

    /// nova/api/openstack/wsgi.py `Fault._fault_names`; every other code is `computeFault`.
    static func novaName(_ status: Int) -> String {
        switch status {
        case 400: "badRequest"
        case 401: "unauthorized"
        case 403: "forbidden"
        case 404: "itemNotFound"
        case 405: "badMethod"
        case 406: "notAcceptable"
        case 409: "conflictingRequest"
        case 413, 429: "overLimit"
        case 415: "badMediaType"
        case 501: "notImplemented"
        case 503: "serviceUnavailable"
        default: "computeFault"
        }
    }
}

/// A value in a fault body.
enum FaultValue: Encodable, Sendable {
    case int(Int)
    case string(String)
    case object([String: FaultValue])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
