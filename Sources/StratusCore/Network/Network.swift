/// A Neutron network: an isolated layer-2 segment that subnets and ports belong to.
public struct Network: Sendable, Codable, Equatable {
    public var id: NetworkID
    public var projectId: ProjectID
    public var name: String
    public var description: String
    public var adminStateUp: Bool
    /// Usable by every project, not only its owner.
    public var shared: Bool
    /// `router:external`: a provider network for floating addresses; visible to every project.
    public var external: Bool
    public var mtu: Int
    public var portSecurityEnabled: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var revisionNumber: Int

    public init(
        id: NetworkID, projectId: ProjectID, name: String, description: String = "", adminStateUp: Bool = true,
        shared: Bool = false, external: Bool = false, mtu: Int, portSecurityEnabled: Bool = true, createdAt: Timestamp,
        updatedAt: Timestamp, revisionNumber: Int = 1
    ) {
        self.id = id
        self.projectId = projectId
        self.name = name
        self.description = description
        self.adminStateUp = adminStateUp
        self.shared = shared
        self.external = external
        self.mtu = mtu
        self.portSecurityEnabled = portSecurityEnabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revisionNumber = revisionNumber
    }
}

/// A block of addresses on a network, from which ports get their fixed IPs.
public struct Subnet: Sendable, Codable, Equatable {
    /// A range of addresses handed out automatically, both ends included.
    public struct AllocationPool: Sendable, Codable, Equatable {
        public var start: IPAddress
        public var end: IPAddress

        public init(start: IPAddress, end: IPAddress) {
            self.start = start
            self.end = end
        }
    }

    /// A static route the subnet's DHCP hands to guests.
    public struct HostRoute: Sendable, Codable, Equatable {
        public var destination: IPNetwork
        public var nexthop: IPAddress

        public init(destination: IPNetwork, nexthop: IPAddress) {
            self.destination = destination
            self.nexthop = nexthop
        }
    }

    public var id: SubnetID
    public var networkId: NetworkID
    public var projectId: ProjectID
    public var name: String
    public var description: String
    public var cidr: IPNetwork
    public var gatewayIp: IPAddress?
    public var enableDhcp: Bool
    public var allocationPools: [AllocationPool]
    public var dnsNameservers: [IPAddress]
    public var hostRoutes: [HostRoute]
    /// IPv6 only: `slaac`, `dhcpv6-stateful` or `dhcpv6-stateless`.
    public var ipv6RaMode: String?
    public var ipv6AddressMode: String?
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var revisionNumber: Int

    public var ipVersion: IPAddress.Version { cidr.version }

    public init(
        id: SubnetID, networkId: NetworkID, projectId: ProjectID, name: String, description: String = "", cidr: IPNetwork,
        gatewayIp: IPAddress?, enableDhcp: Bool = true, allocationPools: [AllocationPool], dnsNameservers: [IPAddress] = [],
        hostRoutes: [HostRoute] = [], ipv6RaMode: String? = nil, ipv6AddressMode: String? = nil, createdAt: Timestamp,
        updatedAt: Timestamp, revisionNumber: Int = 1
    ) {
        self.id = id
        self.networkId = networkId
        self.projectId = projectId
        self.name = name
        self.description = description
        self.cidr = cidr
        self.gatewayIp = gatewayIp
        self.enableDhcp = enableDhcp
        self.allocationPools = allocationPools
        self.dnsNameservers = dnsNameservers
        self.hostRoutes = hostRoutes
        self.ipv6RaMode = ipv6RaMode
        self.ipv6AddressMode = ipv6AddressMode
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revisionNumber = revisionNumber
    }

    /// Whether `address` lies in one of the allocation pools.
    public func poolsContain(_ address: IPAddress) -> Bool {
        allocationPools.contains { $0.start <= address && address <= $0.end }
    }
}

/// An address of a port on one of its network's subnets.
public struct FixedIP: Sendable, Codable, Hashable {
    public var subnetId: SubnetID
    public var ipAddress: IPAddress

    public init(subnetId: SubnetID, ipAddress: IPAddress) {
        self.subnetId = subnetId
        self.ipAddress = ipAddress
    }
}

/// A virtual NIC on a network: its MAC, its fixed IPs and the device (an instance) it plugs into.
public struct NetworkPort: Sendable, Codable, Equatable {
    public var id: PortID
    public var networkId: NetworkID
    public var projectId: ProjectID
    public var name: String
    public var description: String
    public var adminStateUp: Bool
    public var macAddress: String
    /// The instance (or other device) using the port; empty when none.
    public var deviceId: String
    /// `compute:<zone>` for an instance's port; empty when none.
    public var deviceOwner: String
    /// `binding:host_id`: the compute host the port is bound to; empty when unbound.
    public var bindingHostId: String
    public var portSecurityEnabled: Bool
    public var fixedIps: [FixedIP]
    public var securityGroups: [SecurityGroupID]
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var revisionNumber: Int

    public init(
        id: PortID, networkId: NetworkID, projectId: ProjectID, name: String = "", description: String = "",
        adminStateUp: Bool = true, macAddress: String, deviceId: String = "", deviceOwner: String = "", bindingHostId: String = "",
        portSecurityEnabled: Bool = true, fixedIps: [FixedIP] = [], securityGroups: [SecurityGroupID] = [], createdAt: Timestamp,
        updatedAt: Timestamp, revisionNumber: Int = 1
    ) {
        self.id = id
        self.networkId = networkId
        self.projectId = projectId
        self.name = name
        self.description = description
        self.adminStateUp = adminStateUp
        self.macAddress = macAddress
        self.deviceId = deviceId
        self.deviceOwner = deviceOwner
        self.bindingHostId = bindingHostId
        self.portSecurityEnabled = portSecurityEnabled
        self.fixedIps = fixedIps
        self.securityGroups = securityGroups
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revisionNumber = revisionNumber
    }

    /// `ACTIVE` once bound to a host and administratively up, `DOWN` otherwise (no agent wires it before).
    public var status: String { !bindingHostId.isEmpty && adminStateUp ? "ACTIVE" : "DOWN" }
}

/// A named set of firewall rules applied to ports.
public struct SecurityGroup: Sendable, Codable, Equatable {
    public var id: SecurityGroupID
    public var projectId: ProjectID
    public var name: String
    public var description: String
    public var stateful: Bool
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var revisionNumber: Int

    public init(
        id: SecurityGroupID, projectId: ProjectID, name: String, description: String = "", stateful: Bool = true,
        createdAt: Timestamp, updatedAt: Timestamp, revisionNumber: Int = 1
    ) {
        self.id = id
        self.projectId = projectId
        self.name = name
        self.description = description
        self.stateful = stateful
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revisionNumber = revisionNumber
    }
}

/// One allow rule of a security group.
public struct SecurityGroupRule: Sendable, Codable, Equatable {
    public enum Direction: String, Sendable, Codable { case ingress, egress }
    public enum EtherType: String, Sendable, Codable {
        case ipv4 = "IPv4"
        case ipv6 = "IPv6"

        public var version: IPAddress.Version { self == .ipv4 ? .v4 : .v6 }
    }

    public var id: SecurityGroupRuleID
    public var securityGroupId: SecurityGroupID
    public var projectId: ProjectID
    public var direction: Direction
    public var ethertype: EtherType
    /// `tcp`, `udp`, `icmp`, ... or a protocol number as text; nil: any.
    public var `protocol`: String?
    public var portRangeMin: Int?
    public var portRangeMax: Int?
    public var remoteIpPrefix: IPNetwork?
    public var remoteGroupId: SecurityGroupID?
    public var description: String
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    public var revisionNumber: Int

    public init(
        id: SecurityGroupRuleID, securityGroupId: SecurityGroupID, projectId: ProjectID, direction: Direction,
        ethertype: EtherType, protocol: String? = nil, portRangeMin: Int? = nil, portRangeMax: Int? = nil,
        remoteIpPrefix: IPNetwork? = nil, remoteGroupId: SecurityGroupID? = nil, description: String = "",
        createdAt: Timestamp, updatedAt: Timestamp, revisionNumber: Int = 1
    ) {
        self.id = id
        self.securityGroupId = securityGroupId
        self.projectId = projectId
        self.direction = direction
        self.ethertype = ethertype
        self.protocol = `protocol`
        self.portRangeMin = portRangeMin
        self.portRangeMax = portRangeMax
        self.remoteIpPrefix = remoteIpPrefix
        self.remoteGroupId = remoteGroupId
        self.description = description
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.revisionNumber = revisionNumber
    }

    /// Whether the two rules allow the same traffic (Neutron refuses such a duplicate).
    public func sameTraffic(as other: SecurityGroupRule) -> Bool {
        direction == other.direction && ethertype == other.ethertype && `protocol` == other.protocol
            && portRangeMin == other.portRangeMin && portRangeMax == other.portRangeMax
            && remoteIpPrefix == other.remoteIpPrefix && remoteGroupId == other.remoteGroupId
    }
}

/// A project's network from "get me a network": made on its first request, the same one afterwards.
public struct AutoAllocatedTopology: Sendable, Codable, Equatable {
    public var projectId: ProjectID
    public var networkId: NetworkID
    /// The block carved from the configured pool for this project.
    public var cidr: IPNetwork

    public init(projectId: ProjectID, networkId: NetworkID, cidr: IPNetwork) {
        self.projectId = projectId
        self.networkId = networkId
        self.cidr = cidr
    }
}
