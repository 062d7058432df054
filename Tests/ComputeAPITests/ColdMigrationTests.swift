import Database
import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

@Suite("Cold migration")
struct ColdMigrationTests {
    typealias Placement = LiveMigrationTests.Placement

    static func migrations(_ client: TestClient, _ token: String) async throws -> [String] {
        try await nova(client, .get, "/os-migrations?migration_type=migration", token).list("migrations").compactMap { $0["status"] as? String }
    }

    @Test func aServerMovesUntilConfirmedOrRevertedAndAFailedMoveLeavesItWhereItWas() async throws {
        try await TestCloud.with(computeHosts: 2) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, networks: "none")
            let before = try await LiveMigrationTests.settled(cloud, client, token, id, "ACTIVE")
            let source = before.host
            let destination = try #require(cloud.compute.hosts.first { $0 != source })
            let action = "/servers/\(id)/action"
            let migrate: [String: Any] = ["migrate": NSNull()]

            // The destination refuses: nothing moves.
            await cloud.compute.drivers[destination]!.injectFailure(.prepareMigration, message: "no room")
            #expect(try await nova(client, .post, action, token, migrate).status == 202)
            #expect(try await LiveMigrationTests.settled(cloud, client, token, id, "ACTIVE") == before)
            #expect(try await Self.migrations(client, token) == ["error"])
            await cloud.compute.drivers[destination]!.injectFailure(.prepareMigration, message: nil)

            // Moved and reverted: back on its source, running, with its claim there only.
            #expect(try await nova(client, .post, action, token, migrate).status == 202)
            let waiting = try await LiveMigrationTests.settled(cloud, client, token, id, "VERIFY_RESIZE")
            #expect(waiting == Placement(host: destination, usedVCPUs: [source: 1, destination: 1], guests: [source: [id], destination: [id]]))
            #expect(await cloud.compute.drivers[destination]!.powerState(InstanceID(id)) == .running)
            #expect(await cloud.compute.drivers[source]!.powerState(InstanceID(id)) == .shutdown)
            #expect(try await nova(client, .post, action, token, ["revertResize": NSNull()]).status == 202)
            #expect(try await LiveMigrationTests.settled(cloud, client, token, id, "ACTIVE") == before)
            #expect(await cloud.compute.drivers[source]!.powerState(InstanceID(id)) == .running)
            #expect(try await Self.migrations(client, token) == ["reverted", "error"])

            // A stopped server moved and confirmed: stopped on the destination, the source's copy and claim gone.
            #expect(try await nova(client, .post, action, token, ["os-stop": NSNull()]).status == 202)
            _ = try await LiveMigrationTests.settled(cloud, client, token, id, "SHUTOFF")
            #expect(try await nova(client, .post, action, token, ["migrate": ["host": destination]], version: "2.56").status == 202)
            _ = try await LiveMigrationTests.settled(cloud, client, token, id, "VERIFY_RESIZE")
            #expect(await cloud.compute.drivers[destination]!.powerState(InstanceID(id)) == .shutdown)
            #expect(try await nova(client, .post, action, token, ["confirmResize": NSNull()]).status == 204)
            let after = try await LiveMigrationTests.settled(cloud, client, token, id, "SHUTOFF")
            #expect(after == Placement(host: destination, usedVCPUs: [source: 0, destination: 1], guests: [source: [], destination: [id]]))
            #expect(try await Self.migrations(client, token) == ["confirmed", "reverted", "error"])

            // What Nova refuses.
            expectNovaFault(try await nova(client, .post, action, token, ["migrate": ["host": destination]], version: "2.56"), 400, "the host the server runs on")
            expectNovaFault(try await nova(client, .post, action, token, ["migrate": ["host": source]], version: "2.55"), 400)
            expectNovaFault(try await nova(client, .post, action, token, ["migrate": "now"]), 400)
            let member = try await memberToken(client, admin: token, user: "demo", project: "admin")
            expectNovaFault(try await nova(client, .post, action, member, migrate), 403)
        }
    }
}
