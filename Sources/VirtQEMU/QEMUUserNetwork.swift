public import StratusCore
public import Virt

/// One guest NIC on QEMU's user-mode network (slirp): a `-netdev user` and a virtio-net-pci device with the port's
/// MAC. The slirp network is the port's subnet and its DHCP hands out exactly the port's address; `restrict=on` keeps
/// the guest from reaching anything but what is forwarded to it.
public struct QEMUUserNetwork: Sendable, Equatable {
    /// The netdev's id (`net0`, …).
    public var id: String
    public var macAddress: String
    public var network: IPNetwork
    /// The address slirp answers on in the guest's network: the subnet's gateway when it has one.
    public var host: IPAddress
    /// The address the guest's DHCP gets: the port's fixed IP.
    public var dhcpStart: IPAddress
    /// Slirp's DNS address, chosen clear of the host and the guest's own address.
    public var dns: IPAddress
    /// The host port on 127.0.0.1 forwarded to the guest's SSH port, nil for none.
    public var sshForwardPort: Int?

    public init(id: String, macAddress: String, network: IPNetwork, host: IPAddress, dhcpStart: IPAddress, dns: IPAddress, sshForwardPort: Int? = nil) {
        self.id = id
        self.macAddress = macAddress
        self.network = network
        self.host = host
        self.dhcpStart = dhcpStart
        self.dns = dns
        self.sshForwardPort = sshForwardPort
    }

    /// The NIC of `interface`, on the subnet of its first IPv4 address; nil when it has none with a known subnet
    /// (slirp serves IPv4 only) or the subnet has no room for slirp's own two addresses.
    public init?(_ interface: GuestInterface, id: String) {
        for address in interface.addresses where address.version == .v4 {
            guard let subnet = interface.subnets.first(where: { $0.cidr.contains(address) }) else { continue }
            let cidr = subnet.cidr
            // The addresses that are neither the network's nor its broadcast address.
            let usable = (1..<max(1, Int(min(cidr.addressCount, 1 << 16)) - 1)).lazy.compactMap { cidr.first.advanced(by: UInt128($0)) }
            let host = subnet.gateway.flatMap { $0 != address && cidr.contains($0) ? $0 : nil } ?? usable.first { $0 != address }
            guard let host, let dns = usable.first(where: { $0 != address && $0 != host }) else { return nil }
            self.init(id: id, macAddress: interface.macAddress, network: cidr, host: host, dhcpStart: address, dns: dns)
            return
        }
        return nil
    }

    /// `-netdev user,…` and `-device virtio-net-pci,…`.
    public var arguments: [String] {
        var netdev = "user,id=\(id),net=\(network),host=\(host),dhcpstart=\(dhcpStart),dns=\(dns),restrict=on"
        if let sshForwardPort { netdev += ",hostfwd=tcp:127.0.0.1:\(sshForwardPort)-\(dhcpStart):22" }
        return ["-netdev", netdev, "-device", "virtio-net-pci,netdev=\(id),mac=\(macAddress)"]
    }
}
