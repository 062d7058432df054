import Foundation
import HTTPTypes
import NetworkAPI
import ServiceClients
import StratusCore
import StratusTesting
import Testing

@Suite("Auto-allocated topology")
struct AutoAllocatedTopologyTests {
    @Test func firstRequestMakesTheNetworkLaterOnesReturnIt() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            let other = try await memberToken(client, admin: admin, user: "other", project: "other")
            let demoProject = try #require(try await client.request(.get, "/identity/v3/projects?name=demo", token: admin)
                .list("projects").first?["id"] as? String)

            let first = try await neutron(client, .get, "/auto-allocated-topology/\(demoProject)", demo)
            #expect(first.status == 200, "\(first.summary)")
            let network = try #require(first.string("auto_allocated_topology", "id"))
            #expect(first.string("auto_allocated_topology", "project_id") == demoProject)
            let again = try await neutron(client, .get, "/auto-allocated-topology/\(demoProject)", demo)
            #expect(again.string("auto_allocated_topology", "id") == network)

            let subnets = try await neutron(client, .get, "/subnets?network_id=\(network)", demo).list("subnets")
            #expect(subnets.compactMap { $0["cidr"] as? String } == ["10.0.0.0/24"])
            let port = try await neutron(client, .post, "/ports", demo, ["port": ["network_id": network]])
            #expect(addresses(port) == ["10.0.0.2"])

            // Another project gets the next block and cannot see this one.
            let otherProject = try #require(try await client.request(.get, "/identity/v3/projects?name=other", token: admin)
                .list("projects").first?["id"] as? String)
            let second = try await neutron(client, .get, "/auto-allocated-topology/\(otherProject)", other)
            let otherNetwork = try #require(second.string("auto_allocated_topology", "id"))
            #expect(otherNetwork != network)
            let otherSubnets = try await neutron(client, .get, "/subnets?network_id=\(otherNetwork)", other).list("subnets")
            #expect(otherSubnets.compactMap { $0["cidr"] as? String } == ["10.0.1.0/24"])
            #expect(try await neutron(client, .get, "/auto-allocated-topology/\(demoProject)", other).status == 404)
            let dryRun = try await neutron(client, .get, "/auto-allocated-topology/\(demoProject)?fields=dry-run", demo)
            #expect(dryRun.string("auto_allocated_topology", "id") == "dry-run=pass")
        }
    }

    @Test func concurrentFirstRequestsMakeOneNetworkAndTheBlocksRunOut() async throws {
        // A /22 pool holds four /24 blocks.
        let settings = NetworkSettings(autoAllocationPool: IPNetwork("10.50.0.0/22")!, autoAllocationPrefixLength: 24)
        try await TestCloud.with(network: settings) { _, client in
            let admin = try await client.token()
            let adminProject = try #require(try await client.request(.get, "/identity/v3/projects?name=admin", token: admin)
                .list("projects").first?["id"] as? String)
            let ids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await neutron(client, .get, "/auto-allocated-topology/\(adminProject)", admin).string("auto_allocated_topology", "id") }
                }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(ids.count == 1 && ids.first! != nil)
            #expect(try await neutron(client, .get, "/networks?name=auto_allocated_network", admin).list("networks").count == 1)

            var cidrs: [String] = []
            for index in 0..<4 {
                let token = try await memberToken(client, admin: admin, user: "u\(index)", project: "p\(index)")
                let project = try #require(try await client.request(.get, "/identity/v3/projects?name=p\(index)", token: admin)
                    .list("projects").first?["id"] as? String)
                let reply = try await neutron(client, .get, "/auto-allocated-topology/\(project)", token)
                if index < 3 {
                    let network = try #require(reply.string("auto_allocated_topology", "id"), "\(reply.summary)")
                    cidrs += try await neutron(client, .get, "/subnets?network_id=\(network)", token).list("subnets").compactMap { $0["cidr"] as? String }
                } else {
                    expectNeutronError(reply, 409, "AutoAllocationFailure")
                }
            }
            #expect(Set(cidrs) == ["10.50.1.0/24", "10.50.2.0/24", "10.50.3.0/24"])
        }
    }
}
