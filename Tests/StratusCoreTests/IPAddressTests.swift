import Foundation
import StratusCore
import Testing

@Suite("IP addresses and networks")
struct IPAddressTests {
    // MARK: Parsing

    @Test(arguments: [
        ("0.0.0.0", 0),
        ("10.0.0.1", 0x0A00_0001),
        ("192.168.100.200", 0xC0A8_64C8),
        ("255.255.255.255", 0xFFFF_FFFF),
    ] as [(String, UInt128)])
    func parsesIPv4(text: String, value: UInt128) throws {
        let address = try ip(text)
        #expect(address.version == .v4)
        #expect(address.value == value)
        #expect(address.bitWidth == 32)
        #expect(address.description == text)
    }

    @Test(arguments: [
        "", " 1.2.3.4", "1.2.3.4 ", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4", "1..3.4",
        ".1.2.3", "1.2.3.", "+1.2.3.4", "-1.2.3.4", "1.2.3.4/24", "0x1.2.3.4", "١.2.3.4", "1.2.3.٤", "localhost",
    ])
    func rejectsInvalidIPv4(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("::", 0),
        ("::1", 1),
        ("1::", 0x0001 << 112),
        ("1:2:3:4:5:6:7:8", 0x0001_0002_0003_0004_0005_0006_0007_0008),
        ("1:2:3:4:5:6:7::", 0x0001_0002_0003_0004_0005_0006_0007_0000),
        ("::2:3:4:5:6:7:8", 0x0000_0002_0003_0004_0005_0006_0007_0008),
        ("2001:DB8::AbCd", 0x2001_0DB8_0000_0000_0000_0000_0000_ABCD),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", 0x2001_0DB8_0000_0000_0000_0000_0000_0001),
        ("::ffff:192.0.2.1", 0xFFFF_C000_0201),
        ("64:ff9b::192.0.2.33", 0x0064_FF9B_0000_0000_0000_0000_C000_0221),
        ("1:2:3:4:5:6:1.2.3.4", 0x0001_0002_0003_0004_0005_0006_0102_0304),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .max),
    ] as [(String, UInt128)])
    func parsesIPv6(text: String, value: UInt128) throws {
        let address = try ip(text)
        #expect(address.version == .v6)
        #expect(address.value == value)
        #expect(address.bitWidth == 128)
    }

    @Test(arguments: [
        ":", ":::", "1::2::3", "::1::", "1:::2", ":1::", "1::2:", "1:2", "12345::", "g::", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8", "::1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:1.2.3.4", "::ffff:1.2.3",
        "::ffff:1.2.3.256", "::1.2.3.4:5", "1.2.3.4::", "fe80::1%eth0", "[::1]", " ::1", "::1 ", "::+1", "::٣",
    ])
    func rejectsInvalidIPv6(text: String) {
        #expect(IPAddress(text) == nil)
    }

    // MARK: Canonical text

    @Test(arguments: [
        ("2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:db8:0:0:0:0:2:1", "2001:db8::2:1"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8:0:0:1:0:0:0", "2001:db8:0:0:1::"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("1:0:0:0:0:0:0:0", "1::"),
        ("0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"),
        ("::FFFF:C000:0201", "::ffff:192.0.2.1"),
        ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("::192.0.2.1", "::c000:201"),
    ])
    func printsRFC5952Form(text: String, canonical: String) throws {
        let address = try ip(text)
        #expect(address.description == canonical)
        #expect(IPAddress(canonical) == address)
    }

    // MARK: Arithmetic and order

    @Test func advancesWithinItsVersion() {
        #expect(IPAddress("10.0.0.255")?.advanced(by: 1) == IPAddress("10.0.1.0"))
        #expect(IPAddress("10.0.0.1")?.advanced(by: 0) == IPAddress("10.0.0.1"))
        #expect(IPAddress("255.255.255.254")?.advanced(by: 1) == IPAddress("255.255.255.255"))
        #expect(IPAddress("255.255.255.255")?.advanced(by: 1) == nil)
        #expect(IPAddress("0.0.0.0")?.advanced(by: 1 << 32) == nil)
        #expect(IPAddress("2001:db8::ffff")?.advanced(by: 1) == IPAddress("2001:db8::1:0"))
        #expect(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe")?.advanced(by: 1)?.value == .max)
        #expect(IPAddress("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")?.advanced(by: 1) == nil)
        #expect(IPAddress("::1")?.advanced(by: .max) == nil)
    }

    @Test func ordersIPv4BeforeIPv6ThenByValue() {
        let texts = ["::1", "10.0.0.2", "2001:db8::", "::", "10.0.0.10", "255.255.255.255", "0.0.0.0"]
        let sorted = texts.compactMap(IPAddress.init).sorted().map(\.description)
        #expect(sorted == ["0.0.0.0", "10.0.0.2", "10.0.0.10", "255.255.255.255", "::", "::1", "2001:db8::"])
        // Equal values of different versions are different addresses.
        #expect(IPAddress(version: .v4, value: 1) != IPAddress(version: .v6, value: 1))
        #expect(IPAddress(version: .v4, value: 1) < IPAddress(version: .v6, value: 0))
    }

    @Test func codesAsCanonicalText() throws {
        let addresses = try [ip("10.1.2.3"), ip("2001:DB8:0:0:0:0:0:1")]
        let json = try JSONEncoder().encode(addresses)
        #expect(String(decoding: json, as: UTF8.self) == #"["10.1.2.3","2001:db8::1"]"#)
        #expect(try JSONDecoder().decode([IPAddress].self, from: json) == addresses)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IPAddress].self, from: Data(#"["1.2.3"]"#.utf8)) }

        let network = try cidr("2001:DB8::/64")
        let networkJSON = try JSONEncoder().encode([network])
        #expect(try JSONDecoder().decode([String].self, from: networkJSON) == ["2001:db8::/64"])
        #expect(try JSONDecoder().decode([IPNetwork].self, from: networkJSON) == [network])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([IPNetwork].self, from: Data(#"["10.0.0.5/24"]"#.utf8)) }
    }

    // MARK: Networks

    @Test(arguments: [
        ("10.0.0.0/24", "10.0.0.0/24"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("10.0.0.5/32", "10.0.0.5/32"),
        ("2001:DB8:0::/64", "2001:db8::/64"),
        ("::/0", "::/0"),
        ("::1/128", "::1/128"),
    ])
    func parsesNetworks(text: String, canonical: String) {
        #expect(IPNetwork(text)?.description == canonical)
    }

    @Test(arguments: [
        "", "/24", "10.0.0.0", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/024",
        "10.0.0.0/24/1", "10.0.0.0 /24", "10.0.0.0/24 ", "10.0.0.0/٢٤", "1.2.3/8", "::/129", "::/00",
        "10.0.0.5/24", "2001:db8::1/64", "0.0.0.1/0",
    ])
    func rejectsInvalidNetworks(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test func parsesNetworksWithHostBits() throws {
        let parsed = try #require(IPNetwork.parse(withHost: "10.0.0.5/24"))
        #expect(parsed.network.description == "10.0.0.0/24")
        #expect(parsed.host == IPAddress("10.0.0.5"))
        let parsed6 = try #require(IPNetwork.parse(withHost: "2001:db8::1/64"))
        #expect(parsed6.network.description == "2001:db8::/64")
        #expect(parsed6.host == IPAddress("2001:db8::1"))
        #expect(IPNetwork.parse(withHost: "10.0.0.5/33") == nil)
        #expect(IPNetwork.parse(withHost: "10.0.0.5") == nil)
    }

    @Test func buildsFromAddressAndPrefix() throws {
        let address = try ip("192.168.7.9")
        #expect(IPNetwork(address: address, prefixLength: 20)?.description == "192.168.0.0/20")
        #expect(IPNetwork(address: address, prefixLength: 0)?.description == "0.0.0.0/0")
        #expect(IPNetwork(address: address, prefixLength: 32)?.description == "192.168.7.9/32")
        #expect(IPNetwork(address: address, prefixLength: 33) == nil)
        #expect(IPNetwork(address: address, prefixLength: -1) == nil)
        let address6 = try ip("2001:db8::1")
        #expect(IPNetwork(address: address6, prefixLength: 128)?.description == "2001:db8::1/128")
        #expect(IPNetwork(address: address6, prefixLength: 129) == nil)
        #expect(IPNetwork(address: address6, prefixLength: 64)?.version == .v6)
    }

    @Test(arguments: [
        ("10.0.0.0/24", "10.0.0.0", "10.0.0.255", 256),
        ("10.0.0.0/31", "10.0.0.0", "10.0.0.1", 2),
        ("10.0.0.7/32", "10.0.0.7", "10.0.0.7", 1),
        ("0.0.0.0/0", "0.0.0.0", "255.255.255.255", 1 << 32),
        ("2001:db8::/64", "2001:db8::", "2001:db8::ffff:ffff:ffff:ffff", 1 << 64),
        ("2001:db8::1/128", "2001:db8::1", "2001:db8::1", 1),
        ("::/1", "::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 1 << 127),
        ("::/0", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .max),
    ] as [(String, String, String, UInt128)])
    func spansItsAddresses(text: String, first: String, last: String, count: UInt128) throws {
        let network = try cidr(text)
        #expect(network.first.description == first)
        #expect(network.last.description == last)
        #expect(network.addressCount == count)
    }

    @Test func containsAddressesAndNetworks() throws {
        let network = try cidr("10.0.0.0/24")
        #expect(try network.contains(ip("10.0.0.0")))
        #expect(try network.contains(ip("10.0.0.255")))
        #expect(try !network.contains(ip("10.0.1.0")))
        #expect(try !network.contains(ip("::a00:1")))
        #expect(try network.contains(cidr("10.0.0.128/25")))
        #expect(network.contains(network))
        #expect(try !network.contains(cidr("10.0.0.0/23")))
        #expect(try !network.contains(cidr("::/0")))
        #expect(try cidr("0.0.0.0/0").contains(ip("255.255.255.255")))
        #expect(try cidr("::/0").contains(ip("ffff::1")))
        #expect(try !cidr("::/0").contains(ip("1.2.3.4")))
        #expect(try cidr("2001:db8::/32").contains(cidr("2001:db8:1::/48")))
    }

    @Test func overlapsOnlyWithinAVersion() throws {
        #expect(try cidr("10.0.0.0/16").overlaps(cidr("10.0.5.0/24")))
        #expect(try cidr("10.0.5.0/24").overlaps(cidr("10.0.0.0/16")))
        #expect(try cidr("10.0.0.0/16").overlaps(cidr("0.0.0.0/0")))
        #expect(try !cidr("10.0.0.0/16").overlaps(cidr("10.1.0.0/16")))
        #expect(try !cidr("0.0.0.0/0").overlaps(cidr("::/0")))
        #expect(try cidr("2001:db8::/64").overlaps(cidr("2001:db8::8/125")))
    }

    @Test func dividesIntoSubnets() throws {
        let network = try cidr("10.0.0.0/16")
        #expect(network.subnet(index: 3, prefixLength: 24)?.description == "10.0.3.0/24")
        #expect(network.subnet(index: 0, prefixLength: 16) == network)
        #expect(network.subnet(index: 1, prefixLength: 16) == nil)
        #expect(network.subnet(index: 255, prefixLength: 24)?.description == "10.0.255.0/24")
        #expect(network.subnet(index: 256, prefixLength: 24) == nil)
        #expect(network.subnet(index: 65_535, prefixLength: 32)?.description == "10.0.255.255/32")
        #expect(network.subnet(index: 0, prefixLength: 15) == nil)
        #expect(network.subnet(index: 0, prefixLength: 33) == nil)

        let all6 = try cidr("::/0")
        #expect(all6.subnet(index: .max, prefixLength: 128)?.description == "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128")
        #expect(all6.subnet(index: 1, prefixLength: 0) == nil)
        #expect(all6.subnet(index: 0, prefixLength: 0) == all6)
        #expect(try cidr("2001:db8::/32").subnet(index: 0x1_0001, prefixLength: 64)?.description == "2001:db8:1:1::/64")
    }

    @Test func countsSubnets() throws {
        let network = try cidr("10.0.0.0/16")
        #expect(network.subnetCount(prefixLength: 16) == 1)
        #expect(network.subnetCount(prefixLength: 24) == 256)
        #expect(network.subnetCount(prefixLength: 32) == 65_536)
        #expect(network.subnetCount(prefixLength: 15) == 0)
        #expect(network.subnetCount(prefixLength: 33) == 0)
        #expect(try cidr("0.0.0.0/0").subnetCount(prefixLength: 32) == 1 << 32)
        let all6 = try cidr("::/0")
        #expect(all6.subnetCount(prefixLength: 64) == 1 << 64)
        #expect(all6.subnetCount(prefixLength: 128) == .max)
        #expect(all6.subnetCount(prefixLength: 129) == 0)
        #expect(try cidr("2001:db8::/48").subnetCount(prefixLength: 64) == 65_536)
    }

    private func ip(_ text: String) throws -> IPAddress { try #require(IPAddress(text)) }

    private func cidr(_ text: String) throws -> IPNetwork { try #require(IPNetwork(text)) }
}
