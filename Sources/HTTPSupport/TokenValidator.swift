public import ServiceClients

/// Turns an `X-Auth-Token` into the caller's identity, or throws 401.
///
/// The identity service implements it; every API's `AuthMiddleware` uses it.
public protocol TokenValidator: Sendable {
    func validate(token: String) async throws -> AuthContext
}
