/// Every failure the services report to a client, with the HTTP status and message it becomes.
///
/// The API layer renders it as an OpenStack fault body; nothing else decides a status code.
public enum StratusError: Error, Sendable, Equatable {
    /// The request was malformed or a field was invalid; the message names the field.
    case badRequest(String)
    /// No valid credentials or token.
    case unauthorized(String)
    /// Authenticated, but the policy forbids the action.
    case forbidden(String)
    /// A named object does not exist (or the caller may not see it).
    case notFound(kind: String, id: String)
    /// The path exists but not with this method.
    case methodNotAllowed(String)
    /// The request conflicts with the current state, e.g. a duplicate name.
    case conflict(String)
    /// The request body is larger than the service accepts.
    case payloadTooLarge(String)
    /// The request's media type is not one the service accepts.
    case unsupportedMediaType(String)
    /// The object exists but its state does not allow the action.
    case invalidState(String)
    /// A dependency (database, another service) is not reachable now.
    case unavailable(String)

    /// The HTTP status and the client-facing message.
    public var fault: (status: Int, message: String) {
        switch self {
        case .badRequest(let message): (400, message)
        case .unauthorized(let message): (401, message)
        case .forbidden(let message): (403, message)
        case .notFound(let kind, let id): (404, "Could not find \(kind): \(id).")
        case .methodNotAllowed(let message): (405, message)
        case .conflict(let message): (409, message)
        case .invalidState(let message): (409, message)
        case .payloadTooLarge(let message): (413, message)
        case .unsupportedMediaType(let message): (415, message)
        case .unavailable(let message): (503, message)
        }
    }
}
