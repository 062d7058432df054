public import HTTPSupport
public import Hummingbird
public import IdentityAPI
public import Logging

/// The one listener's routes: every API under its DevStack-style prefix, behind the shared middleware.
public enum CloudRouter {
    /// Fault body shape by first path component; Nova's for everything else.
    static let faultStyles: [String: FaultStyle] = ["identity": .keystone]

    public static func build(identity: IdentityAPI, logger: Logger) -> Router<StratusRequestContext> {
        let router = Router(context: StratusRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestLogMiddleware(logger: logger))
        router.add(middleware: FaultMiddleware(styles: faultStyles))
        identity.addRoutes(to: router)
        router.addMethodNotAllowedRoutes()
        return router
    }
}
