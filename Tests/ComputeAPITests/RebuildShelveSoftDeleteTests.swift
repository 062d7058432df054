import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

@Suite("Rebuild, shelve/unshelve, soft delete and the power-state sync")
struct RebuildShelveSoftDeleteTests {
    func action(_ client: TestClient, _ token: String, _ id: String, _ body: [String: Any], version: String = "2.96") async throws -> TestClient.Reply {
        try await nova(client, .post, "/servers/\(id)/action", token, body, version: version)
    }

    func memoryUsed(_ client: TestClient, _ token: String) async throws -> Int? {
        try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.87").list("hypervisors").first?["memory_mb_used"] as? Int
    }

    @Test func rebuildBootsTheNewImageOnTheSamePortsAndKeepsAStoppedServerStopped() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let first = try await uploadImage(client, token, name: "first")
            let second = try await uploadImage(client, token, name: "second")
            let id = try await boot(client, token, image: first)
            let before = try await waitForStatus(client, token, id, "ACTIVE")
            let addresses = try #require(before.value("server", "addresses") as? [String: Any])
            #expect(!addresses.isEmpty)

            expectNovaFault(try await action(client, token, id, ["rebuild": ["name": "x"]]), 400, "imageRef")
            expectNovaFault(try await action(client, token, id, ["rebuild": ["imageRef": UUID().uuidString]]), 400, "could not be found")
            expectNovaFault(try await action(client, token, id, ["rebuild": ["imageRef": second, "user_data": "not base64!"]]), 400, "user_data")
            let reply = try await action(client, token, id, ["rebuild": ["imageRef": second, "name": "renamed", "metadata": ["role": "web"]]])
            #expect(reply.status == 202, "\(reply.summary)")
            #expect(reply.string("server", "id") == id)
            #expect(reply.string("server", "status") == "REBUILD")
            #expect(reply.string("server", "adminPass")?.isEmpty == false)
            expectNovaFault(try await action(client, token, id, ["os-stop": NSNull()]), 409)
            let rebuilt = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(rebuilt.string("server", "image", "id") == second)
            #expect(rebuilt.string("server", "name") == "renamed")
            #expect(rebuilt.string("server", "metadata", "role") == "web")
            #expect(NSDictionary(dictionary: try #require(rebuilt.value("server", "addresses") as? [String: Any])).isEqual(to: addresses))
            let actions = try await nova(client, .get, "/servers/\(id)/os-instance-actions", token).list("instanceActions").compactMap { $0["action"] as? String }
            #expect(actions.contains("rebuild"))

            #expect(try await action(client, token, id, ["os-stop": NSNull()]).status == 202)
            try await waitForStatus(client, token, id, "SHUTOFF")
            #expect(try await action(client, token, id, ["rebuild": ["imageRef": first]]).status == 202)
            let stopped = try await waitForStatus(client, token, id, "SHUTOFF")
            #expect(stopped.string("server", "image", "id") == first)
            #expect(await cloud.compute.drivers["fake-0"]!.powerState(InstanceID(id)) == .shutdown)

            // A failed rebuild leaves the server in ERROR with the driver's reason; a rebuild from ERROR repairs it.
            await cloud.compute.drivers["fake-0"]!.injectFailure(.spawn, message: "disk full")
            #expect(try await action(client, token, id, ["rebuild": ["imageRef": second]]).status == 202)
            let failed = try await waitForStatus(client, token, id, "ERROR")
            #expect(failed.string("server", "fault", "message")?.contains("disk full") == true)
            await cloud.compute.drivers["fake-0"]!.injectFailure(.spawn, message: nil)
            #expect(try await action(client, token, id, ["rebuild": ["imageRef": second]]).status == 202)
            try await waitForStatus(client, token, id, "ACTIVE")
        }
    }

    @Test func shelveOffloadsTheServerAndUnshelveBootsItFromItsSnapshot() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, name: "parked")
            let before = try await waitForStatus(client, token, id, "ACTIVE")
            let addresses = try #require(before.value("server", "addresses") as? [String: Any])
            let used = try await memoryUsed(client, token)
            #expect(used == 512)
            expectNovaFault(try await action(client, token, id, ["unshelve": NSNull()]), 409)

            #expect(try await action(client, token, id, ["shelve": NSNull()]).status == 202)
            let offloaded = try await waitForStatus(client, token, id, "SHELVED_OFFLOADED")
            #expect(offloaded.value("server", "OS-EXT-SRV-ATTR:host") is NSNull)
            #expect(NSDictionary(dictionary: try #require(offloaded.value("server", "addresses") as? [String: Any])).isEqual(to: addresses))
            #expect(try await memoryUsed(client, token) == 0)
            let images = try await client.request(.get, "/image/v2/images?name=parked-shelved", token: token).list("images")
            #expect(images.count == 1)
            #expect(images.first?["status"] as? String == "active")
            let shelvedImage = try #require(images.first?["id"] as? String)

            expectNovaFault(try await action(client, token, id, ["unshelve": ["availability_zone": "az-x"]], version: "2.76"), 400)
            expectNovaFault(try await action(client, token, id, ["unshelve": ["availability_zone": "nowhere"]]), 400, "availability zone")
            #expect(try await action(client, token, id, ["unshelve": NSNull()]).status == 202)
            let back = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(back.string("server", "OS-EXT-SRV-ATTR:host") == "fake-0")
            #expect(NSDictionary(dictionary: try #require(back.value("server", "addresses") as? [String: Any])).isEqual(to: addresses))
            #expect(try await memoryUsed(client, token) == 512)
            // The host deletes the shelved image once the server is ACTIVE again (as Nova's does, after the save).
            let deadline = ContinuousClock.now + .seconds(20)
            while try await client.request(.get, "/image/v2/images/\(shelvedImage)", token: token).status != 404 {
                try #require(ContinuousClock.now < deadline, "the shelved image \(shelvedImage) outlived the unshelve")
                try await Task.sleep(for: .milliseconds(5))
            }
            let actions = try await nova(client, .get, "/servers/\(id)/os-instance-actions", token).list("instanceActions").compactMap { $0["action"] as? String }
            #expect(Set(actions).isSuperset(of: ["shelve", "unshelve"]))

            // Deleting an offloaded server removes its ports and its shelved image.
            #expect(try await action(client, token, id, ["shelve": NSNull()]).status == 202)
            try await waitForStatus(client, token, id, "SHELVED_OFFLOADED")
            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitUntilGone(client, token, id)
            #expect(try await client.request(.get, "/networking/v2.0/ports?device_id=\(id)", token: token).list("ports").isEmpty)
            #expect(try await client.request(.get, "/image/v2/images?name=parked-shelved", token: token).list("images").isEmpty)
        }
    }

    @Test func softDeletedServersCanBeRestoredUntilReclaimed() async throws {
        try await TestCloud.with(compute: ComputeSettings(reclaimInstanceInterval: 60)) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, networks: "none")
            // Booted before the clock jumps past the hosts' heartbeats.
            let other = try await boot(client, token, image: image, name: "other", networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            try await waitForStatus(client, token, other, "ACTIVE")
            expectNovaFault(try await action(client, token, id, ["restore": NSNull()]), 409)

            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            let soft = try await waitForStatus(client, token, id, "SOFT_DELETED")
            #expect(soft.value("server", "OS-EXT-STS:power_state") as? Int == 4)
            #expect(try await memoryUsed(client, token) == 1024)
            #expect(try await action(client, token, id, ["restore": NSNull()]).status == 202)
            try await waitForStatus(client, token, id, "ACTIVE")
            #expect(await cloud.compute.drivers["fake-0"]!.powerState(InstanceID(id)) == .running)

            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitForStatus(client, token, id, "SOFT_DELETED")
            try await cloud.compute.reclaimQueuedDeletes()
            let kept = try await nova(client, .get, "/servers/\(id)", token)
            #expect(kept.string("server", "status") == "SOFT_DELETED", "not reclaimed before the interval: \(kept.summary)")
            cloud.clock.advance(seconds: 61)
            try await cloud.compute.reclaimQueuedDeletes()
            try await waitUntilGone(client, token, id)
            #expect(try await memoryUsed(client, token) == 512)

            // forceDelete does not wait for the reclaim.
            #expect(try await nova(client, .delete, "/servers/\(other)", token).status == 204)
            try await waitForStatus(client, token, other, "SOFT_DELETED")
            #expect(try await action(client, token, other, ["forceDelete": NSNull()]).status == 202)
            try await waitUntilGone(client, token, other)
            #expect(try await memoryUsed(client, token) == 0)
        }
    }

    @Test func powerStateSyncFollowsWhatTheGuestsReallyDo() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            let driver = cloud.compute.drivers["fake-0"]!

            // The guest shut itself down: the server becomes SHUTOFF.
            await driver.simulatePowerChange(InstanceID(id), to: .shutdown)
            await cloud.compute.syncPowerStates()
            let stopped = try await nova(client, .get, "/servers/\(id)", token)
            #expect(stopped.string("server", "status") == "SHUTOFF", "\(stopped.summary)")
            #expect(stopped.value("server", "OS-EXT-STS:power_state") as? Int == 4)

            // A guest running though its server is SHUTOFF is powered off.
            await driver.simulatePowerChange(InstanceID(id), to: .running)
            await cloud.compute.syncPowerStates()
            #expect(await driver.powerState(InstanceID(id)) == .shutdown)
            #expect(try await nova(client, .get, "/servers/\(id)", token).string("server", "status") == "SHUTOFF")

            // A guest that vanished leaves an ACTIVE server SHUTOFF with no power state.
            #expect(try await action(client, token, id, ["os-start": NSNull()]).status == 202)
            try await waitForStatus(client, token, id, "ACTIVE")
            await driver.simulatePowerChange(InstanceID(id), to: nil)
            await cloud.compute.syncPowerStates()
            let gone = try await nova(client, .get, "/servers/\(id)", token)
            #expect(gone.string("server", "status") == "SHUTOFF")
            #expect(gone.value("server", "OS-EXT-STS:power_state") as? Int == 0)
        }
    }
}
