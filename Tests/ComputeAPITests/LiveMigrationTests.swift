import Database
import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

@Suite("Live migration")
struct LiveMigrationTests {
    /// What a test checks after each migration: where the server is, what each host holds, and the migration's end.
    struct Placement: Equatable {
        var host: String
        var usedVCPUs: [String: Int]
        var guests: [String: [String]]
    }

    /// Polls until the server shows `status` and no task; then where it is and what each host holds.
    static func settled(_ cloud: TestCloud, _ client: TestClient, _ token: String, _ id: String, _ status: String = "ACTIVE") async throws -> Placement {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let server = try await nova(client, .get, "/servers/\(id)", token)
            if server.string("server", "status") == status, server.value("server", "OS-EXT-STS:task_state") is NSNull {
                var used: [String: Int] = [:]
                var guests: [String: [String]] = [:]
                for host in cloud.compute.hosts {
                    used[host] = try await cloud.backend.compute.computeNode(host: host)?.vcpusUsed
                    guests[host] = await cloud.compute.drivers[host]!.guests().map(\.rawValue)
                }
                return Placement(host: try #require(server.string("server", "OS-EXT-SRV-ATTR:host")), usedVCPUs: used, guests: guests)
            }
            try #require(ContinuousClock.now < deadline, "the server did not settle in \(status): \(server.summary)")
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func migrations(_ client: TestClient, _ token: String) async throws -> [String] {
        try await nova(client, .get, "/os-migrations?migration_type=live-migration", token).list("migrations").compactMap { $0["status"] as? String }
    }

    @Test func aServerMovesWithItsClaimAndEveryFailureLeavesItWhereItWas() async throws {
        try await TestCloud.with(computeHosts: 2) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, networks: "none")
            let before = try await Self.settled(cloud, client, token, id)
            let source = before.host
            let destination = try #require(cloud.compute.hosts.first { $0 != source })
            #expect(before.usedVCPUs == [source: 1, destination: 0] && before.guests == [source: [id], destination: []])
            let live: [String: Any] = ["os-migrateLive": ["host": NSNull(), "block_migration": "auto"]]
            // With a volume attached: it moves with the guest, on the same attachment (the volume's file is shared).
            let volume = try await createVolume(client, token)
            let attach: [String: Any] = ["volumeAttachment": ["volumeId": volume.rawValue]]
            #expect(try await nova(client, .post, "/servers/\(id)/os-volume_attachments", token, attach).status == 200)

            // The destination refuses: nothing moves, the migration is in error.
            await cloud.compute.drivers[destination]!.injectFailure(.prepareMigration, message: "no room for the incoming guest")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, live, version: "2.30").status == 202)
            #expect(try await Self.settled(cloud, client, token, id) == before)
            #expect(try await Self.migrations(client, token) == ["error"])
            await cloud.compute.drivers[destination]!.injectFailure(.prepareMigration, message: nil)

            // The source fails half-way: the guest waiting on the destination goes again.
            await cloud.compute.drivers[source]!.injectFailure(.migrate, message: "the connection to the destination broke")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, live, version: "2.30").status == 202)
            #expect(try await Self.settled(cloud, client, token, id) == before)
            #expect(try await Self.migrations(client, token) == ["error", "error"])
            await cloud.compute.drivers[source]!.injectFailure(.migrate, message: nil)

            // It goes: the server runs on the destination, which holds its only claim.
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, live, version: "2.30").status == 202)
            let after = try await Self.settled(cloud, client, token, id)
            #expect(after == Placement(host: destination, usedVCPUs: [source: 0, destination: 1], guests: [source: [], destination: [id]]))
            #expect(await cloud.compute.drivers[destination]!.powerState(InstanceID(id)) == .running)
            let moved = try await cloud.compute.drivers[destination]!.attachedVolumes(InstanceID(id))
            #expect(moved.map(\.volumeId) == [volume.rawValue] && moved.map(\.device) == ["/dev/vdb"])
            #expect(try await volumeStatus(client, token, volume) == "in-use")
            #expect(try await Self.migrations(client, token) == ["completed", "error", "error"])
            let actions = try await nova(client, .get, "/servers/\(id)/os-instance-actions", token).list("instanceActions")
            #expect(actions.filter { $0["action"] as? String == "live-migration" }.count == 3)
        }
    }

    @Test func theRequestIsCheckedAsNovaChecksIt() async throws {
        try await TestCloud.with(computeHosts: 2) { cloud, client in
            let admin = try await client.token()
            let image = try await uploadImage(client, admin)
            let id = try await boot(client, admin, image: image, networks: "none")
            let source = try #require(try await waitForStatus(client, admin, id, "ACTIVE").string("server", "OS-EXT-SRV-ATTR:host"))
            let path = "/servers/\(id)/action"
            func migrate(_ body: [String: Any], version: String = "2.30", token: String? = nil) async throws -> TestClient.Reply {
                try await nova(client, .post, path, token ?? admin, ["os-migrateLive": body], version: version)
            }
            expectNovaFault(try await migrate(["block_migration": "auto"]), 400, "'host' is a required property")
            expectNovaFault(try await migrate(["host": NSNull()]), 400, "'block_migration' is a required property")
            expectNovaFault(try await migrate(["host": NSNull(), "block_migration": "sometimes"]), 400)
            expectNovaFault(try await migrate(["host": NSNull(), "block_migration": "auto"], version: "2.24"), 400)
            expectNovaFault(try await migrate(["host": NSNull(), "block_migration": true], version: "2.24"), 400, "'disk_over_commit' is a required property")
            expectNovaFault(try await migrate(["host": NSNull(), "block_migration": "auto", "force": true], version: "2.68"), 400)
            expectNovaFault(try await migrate(["host": "no-such-host", "block_migration": "auto"]), 400, "could not be found")
            expectNovaFault(try await migrate(["host": source, "block_migration": "auto"]), 400, "the host the server runs on")
            let member = try await memberToken(client, admin: admin, user: "demo", project: "admin")
            expectNovaFault(try await migrate(["host": NSNull(), "block_migration": "auto"], token: member), 403)
            #expect(try await nova(client, .post, path, admin, ["os-stop": NSNull()]).status == 202)
            try await waitForStatus(client, admin, id, "SHUTOFF")
            expectNovaFault(try await migrate(["host": NSNull(), "block_migration": "auto"]), 409, "vm_state stopped")
            // Nothing of it reached a host.
            #expect(try await Self.migrations(client, admin).isEmpty)
            #expect(await cloud.compute.drivers[source]!.guests() == [InstanceID(id)])
        }
    }
}
