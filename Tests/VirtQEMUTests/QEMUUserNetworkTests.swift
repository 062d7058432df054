import StratusCore
import Testing
import Virt
import VirtQEMU

/// A port as QEMU's user-mode network: the port's subnet, its address handed out by DHCP, nothing else reachable.
@Suite("QEMU user-mode NICs")
struct QEMUUserNetworkTests {
    func port(_ addresses: [String], subnets: [(String, String?)]) throws -> GuestInterface {
        GuestInterface(
            portId: PortID("port-1"), networkId: NetworkID("net-1"), macAddress: "fa:16:3e:12:34:56",
            addresses: try addresses.map { try #require(IPAddress($0)) },
            subnets: try subnets.map { GuestSubnet(cidr: try #require(IPNetwork($0.0)), gateway: $0.1.flatMap(IPAddress.init)) }
        )
    }

    @Test func aPortIsOneRestrictedNetdevWithItsMACAndAddress() throws {
        let interface = try port(["2001:db8::5", "192.168.10.5"], subnets: [("2001:db8::/64", nil), ("192.168.10.0/24", "192.168.10.1")])
        var network = try #require(QEMUUserNetwork(interface, id: "net0"))
        network.sshForwardPort = 40123
        #expect(network.arguments == [
            "-netdev",
            "user,id=net0,net=192.168.10.0/24,host=192.168.10.1,dhcpstart=192.168.10.5,dns=192.168.10.2,restrict=on,"
                + "hostfwd=tcp:127.0.0.1:40123-192.168.10.5:22",
            "-device", "virtio-net-pci,netdev=net0,mac=fa:16:3e:12:34:56",
        ])
        let commandLine = QEMUCommandLine(
            name: "g", accelerator: .tcg, memoryMB: 128, vcpus: 1, disk: "/d.qcow2", configDrive: "/config.iso", networks: [network],
            qmpSocket: "/q.sock", serialLog: "/c.log", pidFile: "/p"
        )
        #expect(commandLine.arguments.contains("file=/config.iso,format=raw,media=cdrom,readonly=on"))
        #expect(!commandLine.arguments.contains("-nic"), "\(commandLine.arguments)")
    }

    @Test func slirpsOwnAddressesStayClearOfTheGuests() throws {
        // No gateway, and the guest has the subnet's first address: slirp takes the next two.
        let network = try #require(QEMUUserNetwork(try port(["10.1.0.1"], subnets: [("10.1.0.0/28", nil)]), id: "net1"))
        #expect(network.host == IPAddress("10.1.0.2") && network.dns == IPAddress("10.1.0.3") && network.dhcpStart == IPAddress("10.1.0.1"))
        #expect(network.sshForwardPort == nil && !network.arguments[1].contains("hostfwd"))
        // A /30 has two usable addresses: no room for the guest and slirp's two.
        #expect(QEMUUserNetwork(try port(["10.2.0.1"], subnets: [("10.2.0.0/30", "10.2.0.2")]), id: "net0") == nil)
    }

    @Test func aPortWithoutAnIPv4SubnetGetsNoSlirpNetwork() throws {
        #expect(QEMUUserNetwork(try port(["2001:db8::5"], subnets: [("2001:db8::/64", "2001:db8::1")]), id: "net0") == nil)
        #expect(QEMUUserNetwork(try port(["192.168.10.5"], subnets: []), id: "net0") == nil)
    }

    @Test func theMetadataNICComesLastAndHandsEachConnectionToTheRelay() {
        let relay = QEMUMetadataNetwork(command: ["/opt/stratus", "metadata-relay", "--endpoint", "http://127.0.0.1:8780/metadata", "--instance", "a b,c"])
        let commandLine = QEMUCommandLine(
            name: "g", accelerator: .tcg, memoryMB: 128, vcpus: 1, disk: "/d.qcow2", metadataNetwork: relay, qmpSocket: "/q.sock",
            serialLog: "/c.log", pidFile: "/p"
        )
        #expect(relay.arguments == [
            "-netdev",
            "user,id=meta,net=169.254.169.0/24,restrict=on,guestfwd=tcp:169.254.169.254:80-cmd:"
                + "/opt/stratus metadata-relay --endpoint http://127.0.0.1:8780/metadata --instance 'a b,,c'",
            "-device", "virtio-net-pci,netdev=meta",
        ])
        #expect(commandLine.arguments.contains("virtio-net-pci,netdev=meta") && !commandLine.arguments.contains("-nic"), "\(commandLine.arguments)")
    }

    @Test func aGuestWithoutPortsHasNoNIC() {
        let commandLine = QEMUCommandLine(name: "g", accelerator: .tcg, memoryMB: 128, vcpus: 1, disk: "/d.qcow2", qmpSocket: "/q.sock", serialLog: "/c.log", pidFile: "/p")
        let nic = commandLine.arguments.firstIndex(of: "-nic")
        #expect(nic.map { commandLine.arguments[$0 + 1] } == "none")
        #expect(!commandLine.arguments.contains("-netdev"))
    }
}
