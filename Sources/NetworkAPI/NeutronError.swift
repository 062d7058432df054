public import HTTPSupport
import HTTPTypes
public import ServiceClients

/// Neutron's named errors, with the `type` clients and tempest match on and Neutron's wording.
public enum NeutronError {
    static func make(_ status: HTTPResponse.Status, _ type: String, _ message: String) -> OpenStackFault {
        OpenStackFault(status: status, message: message, style: .neutron, type: type)
    }

    /// The kinds of object the service names in its 404s.
    public enum Kind: String, Sendable {
        case network = "Network"
        case subnet = "Subnet"
        case port = "Port"
        case securityGroup = "SecurityGroup"
        case securityGroupRule = "SecurityGroupRule"

        var words: String {
            switch self {
            case .network, .subnet, .port: rawValue
            case .securityGroup: "Security group"
            case .securityGroupRule: "Security group rule"
            }
        }
    }

    /// 404 `NetworkNotFound` and its kin: the object does not exist or the caller may not see it.
    public static func notFound(_ kind: Kind, _ id: String) -> OpenStackFault {
        switch kind {
        case .securityGroup, .securityGroupRule:
            make(.notFound, "\(kind.rawValue)NotFound", "\(kind.words) \(id.prefix(64)) does not exist")
        default:
            make(.notFound, "\(kind.rawValue)NotFound", "\(kind.words) \(id.prefix(64)) could not be found.")
        }
    }

    /// 404 for a project the caller may not act for (its auto-allocated topology).
    static func projectNotFound(_ id: String) -> OpenStackFault {
        make(.notFound, "HTTPNotFound", "Project \(id.prefix(64)) could not be found.")
    }

    /// 400 `InvalidInput`: a value that is well-formed JSON but not acceptable.
    static func invalidInput(_ message: String) -> OpenStackFault {
        make(.badRequest, "InvalidInput", "Invalid input for operation: \(message)")
    }

    /// 400 `HTTPBadRequest`: an attribute of the wrong type or shape, as Neutron's body validation words it.
    static func invalidAttribute(_ name: String, _ reason: String) -> OpenStackFault {
        make(.badRequest, "HTTPBadRequest", "Invalid input for \(name). Reason: \(reason).")
    }

    /// 403 `PolicyNotAuthorized` for the named policy rule.
    static func policy(_ rule: String) -> OpenStackFault {
        make(.forbidden, "PolicyNotAuthorized", "(rule:\(rule)) is disallowed by policy")
    }
}
