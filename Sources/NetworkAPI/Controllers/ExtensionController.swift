import HTTPSupport
import HTTPTypes
import Hummingbird
import ServiceClients

/// `GET /v2.0/extensions`: what this service implements, which clients probe before using a feature.
struct ExtensionController: Sendable {
    let baseURL: String

    static let extensions: [(alias: String, name: String, description: String)] = [
        ("auto-allocated-topology", "Auto Allocated Topology Services", "Auto Allocated Topology Services."),
        ("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
        ("external-net", "Neutron external network", "Adds external network attribute to network resource."),
        ("network-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
        ("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
        ("port-security", "Port Security", "Provides port security"),
        ("quotas", "Quota management support", "Expose functions for quotas management per project"),
        ("quota_details", "Quota details management support", "Expose functions for quotas usage statistics per project"),
        ("project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."),
        ("security-group", "security-group", "The security groups extension."),
        ("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
        ("standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes"),
        ("standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources."),
        ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."),
        ("filter-validation", "Filter parameters validation", "Provides validation on filter parameters."),
    ]

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get { _, _ in try JSONResponse.make(resources) }
        group.get("extensions") { _, _ in
            try JSONResponse.make(JSONValue.object(["extensions": .array(Self.extensions.map(Self.view))]))
        }
        group.get("extensions/{alias}") { _, context in
            let alias = try context.parameters.require("alias")
            guard let found = Self.extensions.first(where: { $0.alias == alias }) else {
                throw NeutronError.make(.notFound, "ExtensionNotFound", "Extension with alias \(alias.prefix(64)) does not exist")
            }
            return try JSONResponse.make(JSONValue.object(["extension": Self.view(found)]))
        }
    }

    static func view(_ item: (alias: String, name: String, description: String)) -> JSONValue {
        .object([
            "alias": .string(item.alias), "name": .string(item.name), "description": .string(item.description),
            "updated": .string("2013-01-01T10:00:00-00:00"), "links": .array([]),
        ])
    }

    /// `GET /v2.0/`: the collections, as Neutron lists them.
    var resources: JSONValue {
        let names = [("network", "networks"), ("subnet", "subnets"), ("port", "ports"), ("security_group", "security-groups"),
                     ("security_group_rule", "security-group-rules")]
        return .object(["resources": .array(names.map { name, collection in
            .object([
                "name": .string(name), "collection": .string(collection),
                "links": .array([.object(["href": .string(baseURL + "/v2.0/" + collection), "rel": .string("self")])]),
            ])
        })])
    }
}
