import Database
import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

@Suite("Evacuation")
struct EvacuationTests {
    typealias Placement = LiveMigrationTests.Placement

    static func forceDown(_ client: TestClient, _ token: String, _ host: String, _ down: Bool) async throws {
        let body: [String: Any] = ["host": host, "binary": "nova-compute", "forced_down": down]
        #expect(try await nova(client, .put, "/os-services/force-down", token, body, version: "2.11").status == 200)
    }

    @Test func aServerOfAHostThatIsDownIsRebuiltElsewhereAndTheOldHostLetsGoWhenBack() async throws {
        try await TestCloud.with(computeHosts: 2) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, networks: "none")
            let before = try await LiveMigrationTests.settled(cloud, client, token, id, "ACTIVE")
            let (first, second) = (before.host, try #require(cloud.compute.hosts.first { $0 != before.host }))
            let action = "/servers/\(id)/action"

            expectNovaFault(try await nova(client, .post, action, token, ["evacuate": [:]], version: "2.29"), 400, "Compute service of \(first) is still in use")
            try await Self.forceDown(client, token, first, true)
            expectNovaFault(try await nova(client, .post, action, token, ["evacuate": ["host": "nowhere"]], version: "2.29"), 404, "not found")
            expectNovaFault(try await nova(client, .post, action, token, ["evacuate": ["host": first]], version: "2.29"), 400, "can't be the same")
            expectNovaFault(try await nova(client, .post, action, token, ["evacuate": [:]], version: "2.13"), 400, "'onSharedStorage' is a required property")
            let member = try await memberToken(client, admin: token, user: "demo", project: "admin")
            expectNovaFault(try await nova(client, .post, action, member, ["evacuate": [:]], version: "2.29"), 403)

            // Rebuilt on the other host; the host that is down keeps its guest and the claim of it for now.
            let accepted = try await nova(client, .post, action, token, ["evacuate": [:]], version: "2.29")
            #expect(accepted.status == 200 && accepted.body.isEmpty, "\(accepted.summary)")
            let evacuated = try await LiveMigrationTests.settled(cloud, client, token, id, "ACTIVE")
            #expect(evacuated == Placement(host: second, usedVCPUs: [first: 1, second: 1], guests: [first: [id], second: [id]]))
            let migrations = try await nova(client, .get, "/os-migrations?migration_type=evacuation", token).list("migrations")
            #expect(migrations.map { $0["status"] as? String } == ["done"])

            // Back, the old host removes the evacuated guest at its start, and the claim goes with it.
            try await Self.forceDown(client, token, first, false)
            try await cloud.compute.recover(startedAt: Timestamp(cloud.clock.now()))
            let cleaned = try await LiveMigrationTests.settled(cloud, client, token, id, "ACTIVE")
            #expect(cleaned == Placement(host: second, usedVCPUs: [first: 0, second: 1], guests: [first: [], second: [id]]))

            // From 2.95 an evacuated server ends stopped.
            try await Self.forceDown(client, token, second, true)
            #expect(try await nova(client, .post, action, token, ["evacuate": ["host": first]], version: "2.95").status == 200)
            let stopped = try await LiveMigrationTests.settled(cloud, client, token, id, "SHUTOFF")
            #expect(stopped.host == first && stopped.usedVCPUs == [first: 1, second: 1])
            #expect(await cloud.compute.drivers[first]!.powerState(InstanceID(id)) == .shutdown)
        }
    }
}
