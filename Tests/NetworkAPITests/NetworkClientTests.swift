import Foundation
import HTTPTypes
import HTTPSupport
import IdentityAPI
import NetworkAPI
import ServiceClients
import StratusCore
import StratusTesting
import Testing

/// The calls the compute side makes, through both clients: in-process and over HTTP with the user's token.
@Suite("Network clients")
struct NetworkClientTests {
    enum Kind: String, CaseIterable { case local, http }

    @Test(arguments: Kind.allCases)
    func computeSideCalls(kind: Kind) async throws {
        try await TestCloud.with(live: kind == .http) { cloud, client in
            let token = try await client.token()
            let caller = ServiceCaller(auth: try await cloud.identity.tokens.validate(token: token), token: token)
            let networks: any NetworkClient = switch kind {
            case .local: LocalNetworkClient(service: cloud.network.service)
            case .http: HTTPNetworkClient(baseURL: "http://127.0.0.1:\(try #require(client.port))/networking")
            }
            let project = try #require(caller.auth.projectId)
            let networkId = try await networks.autoAllocatedNetwork(project: project, caller: caller)
            #expect(try await networks.network(networkId, caller: caller).name == "auto_allocated_network")
            // Both clients give the network's subnets as the service records them.
            let subnets = try await networks.subnets(network: networkId, caller: caller)
            #expect(subnets.map(\.cidr.description) == ["10.0.0.0/24"] && subnets.first?.gatewayIp == IPAddress("10.0.0.1"), "\(subnets)")
            let recorded = try await LocalNetworkClient(service: cloud.network.service).subnets(network: networkId, caller: caller)
            #expect(subnets.map(\.id) == recorded.map(\.id) && subnets.map(\.allocationPools) == recorded.map(\.allocationPools))

            let port = try await networks.createPort(PortRequest(networkId: networkId, deviceId: "instance-1"), caller: caller)
            #expect(port.fixedIps.map(\.ipAddress.description) == ["10.0.0.2"])
            #expect(port.status == "DOWN")
            let bound = try await networks.bindPort(port.id, host: "compute-1", deviceId: "instance-1", deviceOwner: "compute:nova", caller: caller)
            #expect(bound.bindingHostId == "compute-1")
            #expect(bound.status == "ACTIVE")
            #expect(try await networks.ports(deviceId: "instance-1", caller: caller).map(\.id) == [port.id])

            // Faults arrive as the network service's own.
            do {
                _ = try await networks.network("missing", caller: caller)
                Issue.record("a missing network was found")
            } catch let fault as OpenStackFault {
                #expect(fault.status.code == 404 && fault.type == "NetworkNotFound")
            }
            try await networks.deletePort(port.id, caller: caller)
            #expect(try await networks.ports(deviceId: "instance-1", caller: caller).isEmpty)
        }
    }
}
