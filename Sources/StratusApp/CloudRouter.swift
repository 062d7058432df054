public import ComputeAPI
public import ConsoleProxy
public import Dashboard
public import HTTPSupport
public import Hummingbird
public import IdentityAPI
public import ImageAPI
public import MetadataAPI
public import NetworkAPI
public import ServiceClients
public import VolumeAPI
public import Logging

/// The one listener's routes: every API under its DevStack-style prefix, behind the shared middleware.
public enum CloudRouter {
    /// Fault body shape by first path component; Nova's for everything else.
    static let faultStyles: [String: FaultStyle] = ["identity": .keystone, "image": .glance, "networking": .neutron, "compute": .nova]

    /// The catalog entries of the services this router serves, at `publicURL`.
    public static func catalog(publicURL: String) -> [IdentityBootstrap.ServiceEntry] {
        [
            .init(type: "identity", name: "keystone", url: publicURL + "/identity"),
            .init(type: "image", name: "glance", url: publicURL + "/image"),
            .init(type: "network", name: "neutron", url: publicURL + "/networking"),
            .init(type: "compute", name: "nova", url: publicURL + "/compute/v2.1"),
            // The project-less form (Cinder 3.67+): openstacksdk and the CLI find the service by either type.
            .init(type: "block-storage", name: "cinder", url: publicURL + "/volume/v3"),
            .init(type: "volumev3", name: "cinderv3", url: publicURL + "/volume/v3"),
        ]
    }

    public static func build(
        identity: IdentityAPI, image: ImageAPI, network: NetworkAPI, volume: VolumeAPI, compute: ComputeAPI, metadata: MetadataAPI,
        consoles: ConsoleProxy, dashboard: Dashboard, logger: Logger
    ) -> Router<StratusRequestContext> {
        let router = Router(context: StratusRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestLogMiddleware(logger: logger))
        router.add(middleware: FaultMiddleware(styles: faultStyles))
        identity.addRoutes(to: router)
        image.addRoutes(to: router)
        network.addRoutes(to: router)
        volume.addRoutes(to: router)
        compute.addRoutes(to: router)
        metadata.addRoutes(to: router)
        consoles.addRoutes(to: router)
        dashboard.addRoutes(to: router)
        router.addMethodNotAllowedRoutes()
        return router
    }
}
