import Database
import Foundation
import HTTPTypes
import HTTPSupport
@testable import NetworkAPI
import ServiceClients
import StratusCore
import StratusTesting
import Testing

@Suite("IP address management")
struct IPAddressManagementTests {
    /// Admin of a project, as a validated token says, for calling the service directly.
    static let admin = AuthContext(
        userId: "u-admin", userDomainId: .defaultDomain, projectId: "p-admin", domainId: nil, roles: ["admin", "member", "reader"],
        methods: ["password"], auditIds: [], issuedAt: Timestamp(rawValue: 0), expiresAt: Timestamp(rawValue: .max)
    )

    @Test(arguments: TestEngine.allCases)
    func concurrentPortCreationsNeverShareAnAddress(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let service = NetworkService(backend: backend, clock: ManualWallClock(), settings: NetworkSettings())
            let network = try await service.createNetwork(NetworkRequest(name: "busy"), auth: Self.admin)
            // A /24 whose pool holds 150 addresses: 200 creations must give 150 distinct addresses and 50 clean 409s.
            let pool = Subnet.AllocationPool(start: IPAddress("10.20.0.2")!, end: IPAddress("10.20.0.151")!)
            let subnet = try await service.createSubnet(
                SubnetRequest(networkId: network.id, ipVersion: 4, cidr: "10.20.0.0/24", allocationPools: [pool]), auth: Self.admin
            )
            let outcomes = await withTaskGroup(of: Result<NetworkPort, any Error>.self) { group in
                for _ in 0..<200 {
                    group.addTask {
                        do { return .success(try await service.createPort(PortRequest(networkId: network.id), auth: Self.admin)) }
                        catch { return .failure(error) }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let ports = outcomes.compactMap { try? $0.get() }
            let failures = outcomes.compactMap { outcome -> (any Error)? in
                if case .failure(let error) = outcome { return error } else { return nil }
            }
            let addresses = ports.flatMap(\.fixedIps).map(\.ipAddress)
            #expect(ports.count == 150)
            #expect(Set(addresses).count == 150)
            #expect(addresses.allSatisfy { pool.start <= $0 && $0 <= pool.end })
            #expect(Set(ports.map(\.macAddress)).count == 150)
            #expect(failures.count == 50)
            for failure in failures {
                let fault = failure as? OpenStackFault
                #expect(fault?.status.code == 409 && fault?.type == "IpAddressGenerationFailure", "\(failure)")
            }
            #expect(try await backend.networking.allocatedAddresses(subnet: subnet.id).count == 150)
        }
    }

    @Test func twoHundredParallelRequestsOnASlash24GetDistinctAddresses() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            _ = try await createSubnet(client, token, network: network, cidr: "10.30.0.0/24")
            let replies = try await withThrowingTaskGroup(of: TestClient.Reply.self) { group in
                for _ in 0..<200 { group.addTask { try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]]) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 201 })
            let taken = replies.flatMap(addresses)
            #expect(taken.count == 200)
            #expect(Set(taken).count == 200)
            #expect(!taken.contains("10.30.0.1") && !taken.contains("10.30.0.0") && !taken.contains("10.30.0.255"))
        }
    }

    @Test func gatewayNetworkAndBroadcastAreNeverHandedOut() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            let subnet = try await createSubnet(client, token, network: network, cidr: "10.5.0.0/29")
            var taken: [String] = []
            for _ in 0..<5 { taken += addresses(try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]])) }
            #expect(taken == ["10.5.0.2", "10.5.0.3", "10.5.0.4", "10.5.0.5", "10.5.0.6"])
            expectNeutronError(try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]]), 409, "IpAddressGenerationFailure")
            for address in ["10.5.0.0", "10.5.0.1", "10.5.0.7"] {
                let reply = try await neutron(client, .post, "/ports", token, ["port": [
                    "network_id": network, "fixed_ips": [["subnet_id": subnet, "ip_address": address]],
                ]])
                expectNeutronError(reply, 400, "InvalidIpForSubnet")
            }
        }
    }

    @Test func explicitFixedIPsAreCheckedAgainstTheSubnet() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            let subnet = try await createSubnet(client, token, network: network, cidr: "10.6.0.0/24")
            let chosen = try await neutron(client, .post, "/ports", token, ["port": [
                "network_id": network, "fixed_ips": [["ip_address": "10.6.0.77"]],
            ]])
            #expect(chosen.status == 201)
            #expect(addresses(chosen) == ["10.6.0.77"])
            #expect((chosen.value("port", "fixed_ips") as? [[String: String]])?.first?["subnet_id"] == subnet)

            let again = try await neutron(client, .post, "/ports", token, ["port": [
                "network_id": network, "fixed_ips": [["subnet_id": subnet, "ip_address": "10.6.0.77"]],
            ]])
            expectNeutronError(again, 409, "IpAddressAlreadyAllocated")
            let outside = try await neutron(client, .post, "/ports", token, ["port": [
                "network_id": network, "fixed_ips": [["subnet_id": subnet, "ip_address": "10.7.0.5"]],
            ]])
            expectNeutronError(outside, 400, "InvalidIpForSubnet")
            let noSubnet = try await neutron(client, .post, "/ports", token, ["port": [
                "network_id": network, "fixed_ips": [["ip_address": "192.0.2.5"]],
            ]])
            expectNeutronError(noSubnet, 400, "InvalidIpForNetwork")
            let malformed = try await neutron(client, .post, "/ports", token, ["port": [
                "network_id": network, "fixed_ips": [["ip_address": "10.6.0.300"]],
            ]])
            expectNeutronError(malformed, 400, "HTTPBadRequest")

            // Moving the port to another address frees the old one.
            let id = try #require(chosen.string("port", "id"))
            let moved = try await neutron(client, .put, "/ports/\(id)", token, ["port": ["fixed_ips": [["ip_address": "10.6.0.78"]]]])
            #expect(addresses(moved) == ["10.6.0.78"])
            let reuse = try await neutron(client, .post, "/ports", token, ["port": [
                "network_id": network, "fixed_ips": [["ip_address": "10.6.0.77"]],
            ]])
            #expect(reuse.status == 201, "\(reuse.summary)")
        }
    }

    @Test func macAddressesAreUniqueAndLocallyAdministered() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let network = try await createNetwork(client, token)
            var macs: [String] = []
            for _ in 0..<20 {
                macs.append(try #require(try await neutron(client, .post, "/ports", token, ["port": ["network_id": network]]).string("port", "mac_address")))
            }
            #expect(Set(macs).count == macs.count)
            for mac in macs {
                let first = try #require(UInt8(mac.prefix(2), radix: 16))
                #expect(first & 0b10 != 0, "not locally administered: \(mac)")
                #expect(first & 0b01 == 0, "multicast: \(mac)")
            }
            let duplicate = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network, "mac_address": macs[0].uppercased()]])
            expectNeutronError(duplicate, 409, "MacAddressInUse")
            let multicast = try await neutron(client, .post, "/ports", token, ["port": ["network_id": network, "mac_address": "01:00:5e:00:00:01"]])
            expectNeutronError(multicast, 400, "HTTPBadRequest")
        }
    }
}
