import Database
import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

/// The start's recovery (Nova's `init_host`): what an earlier run left half done is finished or cleared, guests that
/// died meanwhile are recorded, guests that no instance owns are handled as configured.
@Suite("Recovery at start")
struct RestartRecoveryTests {
    /// Rewrites the instance's record as an earlier run would have left it, then moves the clock on, so it predates
    /// the "restart" that `recover` stands for.
    func leave(_ cloud: TestCloud, _ id: String, _ change: (inout Instance) -> Void) async throws {
        let repository = cloud.backend.compute
        var instance = try #require(try await repository.instance(InstanceID(id)))
        change(&instance)
        instance.updatedAt = Timestamp(cloud.clock.now())
        #expect(try await repository.updateInstance(instance, expectedTaskStates: nil))
    }

    func restart(_ cloud: TestCloud) async throws {
        cloud.clock.advance(seconds: 1)
        try await cloud.compute.recover(startedAt: Timestamp(cloud.clock.now()))
    }

    @Test func interruptedOperationsAreFinishedOrEndInError() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            var ids: [String] = []
            for name in ["stopping", "deleting", "building", "pausing", "resizing", "mine-now"] {
                ids.append(try await boot(client, token, image: image, name: name))
            }
            for id in ids { try await waitForStatus(client, token, id, "ACTIVE") }
            let driver = cloud.compute.drivers["fake-0"]!
            let (stopping, deleting, building, pausing, resizing, mineNow) = (ids[0], ids[1], ids[2], ids[3], ids[4], ids[5])
            try await leave(cloud, stopping) { $0.taskState = .poweringOff }
            try await leave(cloud, deleting) { $0.taskState = .deleting }
            try await leave(cloud, building) { $0.vmState = .building; $0.taskState = .spawning }
            try await leave(cloud, pausing) { $0.taskState = .pausing }
            try await leave(cloud, resizing) { $0.taskState = .resizePrep }
            cloud.clock.advance(seconds: 1)
            let startedAt = Timestamp(cloud.clock.now())
            // Changed after the start: an operation of the running process owns it, and recovery must leave it alone.
            try await leave(cloud, mineNow) { $0.taskState = .poweringOff }
            try await cloud.compute.recover(startedAt: startedAt)

            let stopped = try await waitForStatus(client, token, stopping, "SHUTOFF")
            #expect(stopped.value("server", "OS-EXT-STS:task_state") is NSNull, "\(stopped.summary)")
            #expect(await driver.powerState(InstanceID(stopping)) == .shutdown)

            try await waitUntilGone(client, token, deleting)
            #expect(await driver.powerState(InstanceID(deleting)) == .noState)
            let ports = try await client.request(.get, "/networking/v2.0/ports?device_id=\(deleting)", token: token)
            #expect((ports.value("ports") as? [Any])?.isEmpty == true, "\(ports.summary)")

            for (id, fragment) in [(building, "being built"), (resizing, "resize_prep")] {
                let failed = try await nova(client, .get, "/servers/\(id)", token)
                #expect(failed.string("server", "status") == "ERROR", "\(failed.summary)")
                #expect(failed.string("server", "fault", "message")?.contains(fragment) == true, "\(failed.summary)")
                #expect(failed.value("server", "OS-EXT-STS:task_state") is NSNull, "\(failed.summary)")
            }

            // The guest never paused: the instance is what its guest is.
            let cleared = try await nova(client, .get, "/servers/\(pausing)", token)
            #expect(cleared.string("server", "status") == "ACTIVE", "\(cleared.summary)")
            #expect(cleared.value("server", "OS-EXT-STS:task_state") is NSNull, "\(cleared.summary)")

            let untouched = try await nova(client, .get, "/servers/\(mineNow)", token)
            #expect(untouched.string("server", "OS-EXT-STS:task_state") == "powering-off", "\(untouched.summary)")
            #expect(await driver.powerState(InstanceID(mineNow)) == .running)
        }
    }

    @Test func aGuestThatDiedIsShutOffAndAGuestWithoutInstanceIsPoweredOff() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image)
            try await waitForStatus(client, token, id, "ACTIVE")
            let driver = cloud.compute.drivers["fake-0"]!
            await driver.simulatePowerChange(InstanceID(id), to: .shutdown)
            let orphan = InstanceID(UUID().uuidString.lowercased())
            try await driver.spawn(GuestSpec(instanceId: orphan, name: "left-over", hostname: "left-over", vcpus: 1, memoryMB: 64, rootGB: 1))

            try await restart(cloud)
            let shutOff = try await nova(client, .get, "/servers/\(id)", token)
            #expect(shutOff.string("server", "status") == "SHUTOFF", "\(shutOff.summary)")
            #expect(shutOff.value("server", "OS-EXT-STS:power_state") as? Int == PowerState.shutdown.rawValue, "\(shutOff.summary)")
            #expect(await driver.powerState(orphan) == .shutdown)
            #expect(await driver.guests().contains(orphan), "shutdown keeps the guest")
        }
    }

    @Test func reapDestroysAGuestWithoutInstanceAndLogLeavesIt() async throws {
        for action in [ComputeSettings.OrphanedGuestAction.reap, .log] {
            try await TestCloud.with(compute: ComputeSettings(orphanedGuestAction: action)) { cloud, _ in
                let driver = cloud.compute.drivers["fake-0"]!
                let orphan = InstanceID(UUID().uuidString.lowercased())
                try await driver.spawn(GuestSpec(instanceId: orphan, name: "left-over", hostname: "left-over", vcpus: 1, memoryMB: 64, rootGB: 1))
                try await restart(cloud)
                #expect(await driver.powerState(orphan) == (action == .reap ? .noState : .running), "\(action)")
            }
        }
    }
}
