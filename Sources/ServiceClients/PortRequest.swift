public import StratusCore

/// What a caller asks of a port, on create or update: nil leaves an attribute as it is (or at its default).
public struct PortRequest: Sendable {
    /// One entry of `fixed_ips`: a subnet, an address, or both.
    public struct FixedIPRequest: Sendable, Equatable {
        public var subnetId: SubnetID?
        public var ipAddress: IPAddress?

        public init(subnetId: SubnetID? = nil, ipAddress: IPAddress? = nil) {
            self.subnetId = subnetId
            self.ipAddress = ipAddress
        }
    }

    public var networkId: NetworkID?
    public var projectId: ProjectID?
    public var name: String?
    public var description: String?
    public var adminStateUp: Bool?
    public var macAddress: String?
    public var fixedIps: [FixedIPRequest]?
    public var deviceId: String?
    public var deviceOwner: String?
    public var bindingHostId: String?
    public var portSecurityEnabled: Bool?
    public var securityGroups: [SecurityGroupID]?

    public init(
        networkId: NetworkID? = nil, projectId: ProjectID? = nil, name: String? = nil, description: String? = nil,
        adminStateUp: Bool? = nil, macAddress: String? = nil, fixedIps: [FixedIPRequest]? = nil, deviceId: String? = nil,
        deviceOwner: String? = nil, bindingHostId: String? = nil, portSecurityEnabled: Bool? = nil,
        securityGroups: [SecurityGroupID]? = nil
    ) {
        self.networkId = networkId
        self.projectId = projectId
        self.name = name
        self.description = description
        self.adminStateUp = adminStateUp
        self.macAddress = macAddress
        self.fixedIps = fixedIps
        self.deviceId = deviceId
        self.deviceOwner = deviceOwner
        self.bindingHostId = bindingHostId
        self.portSecurityEnabled = portSecurityEnabled
        self.securityGroups = securityGroups
    }
}
