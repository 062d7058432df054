import HTTPSupport
import Hummingbird
import ServiceClients

/// `GET /image` (300) and `/image/versions` (200): Glance's version list, no token needed.
struct ImageVersionController: Sendable {
    let baseURL: String

    struct Link: Encodable, Sendable {
        let rel = "self"
        let href: String
    }

    struct Version: Encodable, Sendable {
        let id: String
        let status: String
        let links: [Link]
    }

    struct Versions: Encodable, Sendable { let versions: [Version] }

    var versions: Versions {
        let link = [Link(href: baseURL + "/v2/")]
        let supported = ["v2.15", "v2.14", "v2.13", "v2.12", "v2.11", "v2.10", "v2.9", "v2.8", "v2.7", "v2.6", "v2.5", "v2.4",
                         "v2.3", "v2.2", "v2.1", "v2.0"]
        return Versions(versions: [Version(id: "v2.16", status: "CURRENT", links: link)]
            + supported.map { Version(id: $0, status: "SUPPORTED", links: link) })
    }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get { _, _ in try JSONResponse.make(versions, status: .multipleChoices) }
        group.get("versions") { _, _ in try JSONResponse.make(versions) }
        group.get("v2") { _, _ in try JSONResponse.make(versions, status: .multipleChoices) }
    }
}
