public import StratusCore

/// What the network service knows of a network an instance is plugged into, beyond the instance's own NIC record:
/// the MTU and the subnets, which give `network_data.json` its netmasks, routes and DNS servers.
public struct NetworkDetails: Sendable, Equatable {
    public var mtu: Int?
    public var subnets: [Subnet]

    public init(mtu: Int?, subnets: [Subnet]) {
        self.mtu = mtu
        self.subnets = subnets
    }

    /// The subnet `address` is on, if known.
    func subnet(containing address: IPAddress) -> Subnet? {
        subnets.first { $0.cidr.contains(address) }
    }
}

extension IPNetwork {
    /// The netmask as an address: `255.255.255.0` for a /24, `ffff:ffff:ffff:ffff::` for an IPv6 /64.
    var netmask: IPAddress {
        let width = version.bitWidth
        let ones: UInt128 = version == .v4 ? UInt128(UInt32.max) : .max
        let mask = prefixLength == 0 ? 0 : (ones << (width - prefixLength)) & ones
        return IPAddress(version: version, value: mask)
    }
}
