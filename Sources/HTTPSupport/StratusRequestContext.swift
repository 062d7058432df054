public import Hummingbird
public import ServiceClients
import StratusCore
import Synchronization

/// The per-request state every Stratus API shares: request id and, once authenticated, the caller.
public struct StratusRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// `req-<uuid>`, sent back as `x-openstack-request-id` and in every log line.
    public var requestID: String
    /// Set by `AuthMiddleware`.
    public var auth: AuthContext?
    /// Set by `MicroversionMiddleware` for services with microversions.
    public var apiVersion = APIVersion(2, 1)
    /// Shared with the outer request log, which cannot see the context inner middleware changes.
    let callerNote = CallerNote()

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.requestID = "req-" + UUIDHexDashed.random()
        self.auth = nil
    }

    /// Largest JSON body accepted (Keystone's `max_request_body_size` is 112 KiB).
    public var maxUploadSize: Int { 112 * 1024 }

    /// The caller, or 401 when the route was reached without authentication.
    public func requireAuth() throws -> AuthContext {
        guard let auth else { throw StratusError.unauthorized(Faults.authenticationRequired) }
        return auth
    }
}

/// The authenticated user's id, written by the auth middleware and read by the request log.
final class CallerNote: Sendable {
    private let value = Mutex<String?>(nil)

    var userId: String? {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}

/// Random UUIDs in their usual dashed lowercase form (request ids).
enum UUIDHexDashed {
    static func random() -> String {
        let hex = UUIDHex.random()
        let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
        return parts.joined(separator: "-")
    }
}
