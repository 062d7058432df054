public import StratusCore
import ServiceClients

/// A network's attributes on create or update.
struct NetworkRequest: Sendable {
    var projectId: ProjectID?
    var name: String?
    var description: String?
    var adminStateUp: Bool?
    var shared: Bool?
    var external: Bool?
    var mtu: Int?
    var portSecurityEnabled: Bool?
}

/// A subnet's attributes on create or update; `gatewayIp` is `.some(nil)` for an explicit "no gateway".
struct SubnetRequest: Sendable {
    var networkId: NetworkID?
    var projectId: ProjectID?
    var name: String?
    var description: String?
    var ipVersion: Int?
    var cidr: String?
    var gatewayIp: IPAddress??
    var enableDhcp: Bool?
    var allocationPools: [Subnet.AllocationPool]?
    var dnsNameservers: [IPAddress]?
    var hostRoutes: [Subnet.HostRoute]?
    var ipv6RaMode: String?
    var ipv6AddressMode: String?
}

/// A security group's attributes on create or update.
struct SecurityGroupRequest: Sendable {
    var projectId: ProjectID?
    var name: String?
    var description: String?
    var stateful: Bool?
}

/// A new rule's attributes; the protocol and ports are validated by the service.
struct RuleRequest: Sendable {
    var securityGroupId: SecurityGroupID
    var projectId: ProjectID?
    var direction: SecurityGroupRule.Direction
    var ethertype: SecurityGroupRule.EtherType
    var `protocol`: String?
    var portRangeMin: Int?
    var portRangeMax: Int?
    var remoteIpPrefix: String?
    var remoteGroupId: SecurityGroupID?
    var description: String?
}
