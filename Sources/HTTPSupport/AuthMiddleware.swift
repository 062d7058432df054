public import Hummingbird
public import HTTPTypes
import Logging
import ServiceClients
import StratusCore

/// Requires a valid `X-Auth-Token` and records the caller in the context; 401 otherwise.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = StratusRequestContext
    let validator: any TokenValidator

    public init(validator: any TokenValidator) {
        self.validator = validator
    }

    public func handle(
        _ request: Request, context: Context, next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        guard let token = request.headers[.authToken], !token.isEmpty else {
            throw StratusError.unauthorized(Faults.authenticationRequired)
        }
        var context = context
        let auth = try await validator.validate(token: token)
        context.auth = auth
        context.callerNote.userId = auth.userId.rawValue
        context.logger[metadataKey: "user_id"] = .string(auth.userId.rawValue)
        return try await next(request, context)
    }
}

extension HTTPField.Name {
    /// `X-Auth-Token`: the caller's token.
    public static let authToken = HTTPField.Name("X-Auth-Token")!
    /// `X-Subject-Token`: the token being issued, validated or revoked.
    public static let subjectToken = HTTPField.Name("X-Subject-Token")!
}
