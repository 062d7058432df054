import HTTPSupport
import Hummingbird
import ServiceClients

/// Version discovery, the only calls that need no token: `GET /identity` (300) and `GET /identity/v3`.
struct VersionController: Sendable {
    let urls: IdentityURLs

    struct MediaType: Encodable, Sendable {
        let base = "application/json"
        let type = "application/vnd.openstack.identity-v3+json"
    }

    struct Link: Encodable, Sendable {
        let rel: String
        let href: String
    }

    struct Version: Encodable, Sendable {
        let id = "v3.14"
        let status = "stable"
        let updated = "2020-04-07T00:00:00Z"
        let links: [Link]
        let mediaTypes = [MediaType()]

        enum CodingKeys: String, CodingKey { case id, status, updated, links, mediaTypes = "media-types" }
    }

    struct Versions: Encodable, Sendable {
        struct Values: Encodable, Sendable { let values: [Version] }
        let versions: Values
    }

    var version: Version { Version(links: [Link(rel: "self", href: urls.v3 + "/")]) }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get { _, _ in
            try JSONResponse.make(Versions(versions: .init(values: [version])), status: .multipleChoices)
        }
        group.get("v3") { _, _ in
            try JSONResponse.make(["version": version])
        }
    }
}
