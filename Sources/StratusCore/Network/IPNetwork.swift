/// An IP network in CIDR notation: an address with its host bits zero, and a prefix length.
///
/// Codable as its text, e.g. "10.0.0.0/24"; decoding fails for invalid text or host bits set.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The network address (host bits zero).
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses "ADDRESS/PREFIX", the prefix decimal without sign or leading zeros.
    /// Nil when malformed or when host bits are set ("10.0.0.5/24"); `parse(withHost:)` accepts those.
    public init?(_ text: String) {
        guard let (network, host) = Self.parse(withHost: text), network.address == host else { return nil }
        self = network
    }

    /// Parses "ADDRESS/PREFIX" allowing host bits: the network (host bits cleared) and the address as written.
    public static func parse(withHost text: String) -> (network: IPNetwork, host: IPAddress)? {
        let parts = Array(text.utf8).split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard parts.count == 2,
              let host = IPAddress(utf8: parts[0]),
              let prefixLength = IPAddress.parseDecimal(parts[1], upTo: host.bitWidth),
              let network = IPNetwork(address: host, prefixLength: prefixLength)
        else { return nil }
        return (network, host)
    }

    /// The network of `address` with `prefixLength` (host bits cleared); nil if the prefix is out of range.
    public init?(address: IPAddress, prefixLength: Int) {
        guard (0...address.bitWidth).contains(prefixLength) else { return nil }
        let hostMask = Self.lowBits(address.bitWidth - prefixLength)
        self.address = IPAddress(version: address.version, value: address.value & ~hostMask)
        self.prefixLength = prefixLength
    }

    public var version: IPAddress.Version { address.version }

    /// "10.0.0.0/24", "2001:db8::/64".
    public var description: String { "\(address)/\(prefixLength)" }

    /// The first address: the network address.
    public var first: IPAddress { address }

    /// The last address (for IPv4 the broadcast address).
    public var last: IPAddress { IPAddress(version: version, value: address.value | hostMask) }

    /// The number of addresses, saturating at `UInt128.max` for an IPv6 /0.
    public var addressCount: UInt128 { Self.powerOfTwo(hostBits) }

    /// Whether `address` is in this network; false for the other version.
    public func contains(_ address: IPAddress) -> Bool {
        address.version == version && address.value & ~hostMask == self.address.value
    }

    /// Whether all of `network` is inside this one.
    public func contains(_ network: IPNetwork) -> Bool {
        network.prefixLength >= prefixLength && contains(network.address)
    }

    /// Whether the two networks share an address; false for different versions.
    public func overlaps(_ other: IPNetwork) -> Bool {
        contains(other) || other.contains(self)
    }

    /// The `index`-th network of `prefixLength` inside this one (10.0.0.0/16, index 3 at /24: 10.0.3.0/24);
    /// nil if `prefixLength` is shorter than this network's or longer than the bit width, or `index` is out of range.
    public func subnet(index: UInt128, prefixLength: Int) -> IPNetwork? {
        guard (self.prefixLength...address.bitWidth).contains(prefixLength) else { return nil }
        // `>>` and `<<` by 128 or more give 0 rather than trapping.
        guard index >> (prefixLength - self.prefixLength) == 0 else { return nil }
        let value = address.value | index << (address.bitWidth - prefixLength)
        return IPNetwork(address: IPAddress(version: version, value: value), prefixLength: prefixLength)
    }

    /// How many networks of `prefixLength` fit in this one (saturating); 0 if `prefixLength` is out of range.
    public func subnetCount(prefixLength: Int) -> UInt128 {
        guard (self.prefixLength...address.bitWidth).contains(prefixLength) else { return 0 }
        return Self.powerOfTwo(prefixLength - self.prefixLength)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let network = IPNetwork(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Invalid IP network: \(text)")
        }
        self = network
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    private var hostBits: Int { address.bitWidth - prefixLength }

    private var hostMask: UInt128 { Self.lowBits(hostBits) }

    /// A mask of the low `count` bits, `count` in 0...128.
    private static func lowBits(_ count: Int) -> UInt128 {
        count == 0 ? 0 : .max >> (128 - count)
    }

    /// 2 to the `exponent`, saturating at `UInt128.max` for 128.
    private static func powerOfTwo(_ exponent: Int) -> UInt128 {
        exponent >= 128 ? .max : 1 << exponent
    }
}
