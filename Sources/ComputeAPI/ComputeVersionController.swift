import HTTPSupport
import Hummingbird
import ServiceClients

/// `GET /compute` and `GET /compute/v2.1`: the version documents, without a token.
struct ComputeVersionController: Sendable {
    let baseURL: String

    func version(id: String, status: String, version: String, minimum: String, path: String) -> JSONValue {
        .object([
            "id": .string(id), "status": .string(status), "version": .string(version), "min_version": .string(minimum),
            "updated": .string("2013-07-23T11:33:21Z"),
            "links": .array([
                .object(["rel": .string("self"), "href": .string(baseURL + path)]),
                .object(["rel": .string("describedby"), "type": .string("text/html"), "href": .string("http://docs.openstack.org/")]),
            ]),
            "media-types": .array([.object([
                "base": .string("application/json"), "type": .string("application/vnd.openstack.compute+json;version=2.1"),
            ])]),
        ])
    }

    var current: JSONValue {
        version(id: "v2.1", status: "CURRENT", version: ComputeAPI.maximumVersion.description, minimum: ComputeAPI.minimumVersion.description, path: "/v2.1/")
    }

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get { _, _ in try JSONResponse.make(JSONValue.object(["versions": .array([current])])) }
        group.get("v2.1") { _, _ in try JSONResponse.make(JSONValue.object(["version": current])) }
    }
}
