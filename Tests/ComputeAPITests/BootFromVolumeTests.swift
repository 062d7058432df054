import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

/// Servers whose disks are volumes (`block_device_mapping_v2` with destination `volume`), on fake hosts with the real
/// volume service (fake volume backend), checked through its own API: the compute API checks the mappings, the host
/// creates and attaches the volumes before the guest starts, a failed build gives them back, and deleting the server
/// keeps or deletes them as asked.
@Suite("Boot from volume")
struct BootFromVolumeTests {
    func bootFromVolume(_ client: TestClient, _ token: String, mappings: [[String: Any]], name: String = "bfv") async throws -> String {
        let body: [String: Any] = ["server": ["name": name, "flavorRef": "1", "networks": "none", "block_device_mapping_v2": mappings]]
        let reply = try await nova(client, .post, "/servers", token, body)
        try #require(reply.status == 202, "\(reply.summary)")
        return try #require(reply.string("server", "id"))
    }

    @Test func aRootVolumeFromAnImageOutlivesItsServer() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await bootFromVolume(client, token, mappings: [
                ["uuid": image, "source_type": "image", "destination_type": "volume", "boot_index": 0, "volume_size": "1", "delete_on_termination": false],
            ])
            let active = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(active.string("server", "image") == "", "a volume-backed server shows no image: \(active.summary)")
            let attached = try #require(active.value("server", "os-extended-volumes:volumes_attached") as? [[String: Any]])
            let volume = VolumeID(try #require(attached.first?["id"] as? String, "\(active.summary)"))
            #expect(attached.count == 1 && attached.first?["delete_on_termination"] as? Bool == false)
            #expect(try await volumeStatus(client, token, volume) == "in-use")

            let driver = try #require(cloud.compute.drivers["fake-0"])
            let spec = try #require(await driver.spec(InstanceID(id)))
            #expect(spec.imageId == nil && spec.rootVolume?.volumeId == volume.rawValue, "the guest boots from the volume: \(spec)")
            #expect(try await driver.attachedVolumes(InstanceID(id)).map(\.volumeId) == [volume.rawValue])
            // Its root disk is the volume's, so its host gives it no disk of the flavor's.
            let hypervisors = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.87").list("hypervisors")
            #expect(hypervisors.first?["local_gb_used"] as? Int == 0, "\(hypervisors)")

            let listed = try await nova(client, .get, "/servers/\(id)/os-volume_attachments", token).list("volumeAttachments")
            #expect(listed.first?["device"] as? String == "/dev/vda", "\(listed)")
            expectNovaFault(try await nova(client, .delete, "/servers/\(id)/os-volume_attachments/\(volume)", token), 400, "root device")
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["createImage": ["name": "snap"]]), 409, "boots from a volume")

            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitUntilGone(client, token, id)
            #expect(try await volumeStatus(client, token, volume) == "available", "delete_on_termination false: the volume survives")
            #expect(try await volumeAttachments(client, token).isEmpty)
        }
    }

    @Test func anExistingVolumeBootsAndADeleteOnTerminationVolumeGoesWithItsServer() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let volume = try await createVolume(client, token)
            let id = try await bootFromVolume(client, token, mappings: [
                ["uuid": volume.rawValue, "source_type": "volume", "destination_type": "volume", "boot_index": "0"],
                ["source_type": "blank", "destination_type": "volume", "volume_size": 2, "boot_index": -1, "delete_on_termination": true, "tag": "scratch"],
            ])
            let active = try await waitForStatus(client, token, id, "ACTIVE")
            let attached = try #require(active.value("server", "os-extended-volumes:volumes_attached") as? [[String: Any]])
            #expect(attached.count == 2, "\(active.summary)")
            #expect(try await volumeStatus(client, token, volume) == "in-use")
            let listed = try await nova(client, .get, "/servers/\(id)/os-volume_attachments", token, version: "2.89").list("volumeAttachments")
            let scratch = try #require(listed.first { $0["volumeId"] as? String != volume.rawValue }, "\(listed)")
            #expect(listed.first { $0["volumeId"] as? String == volume.rawValue }?["device"] as? String == "/dev/vda")
            #expect(scratch["device"] as? String == "/dev/vdb" && scratch["tag"] as? String == "scratch" && scratch["delete_on_termination"] as? Bool == true)
            let driver = try #require(cloud.compute.drivers["fake-0"])
            #expect(await driver.spec(InstanceID(id))?.rootVolume?.volumeId == volume.rawValue)

            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitUntilGone(client, token, id)
            #expect(try await volumeStatus(client, token, volume) == "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
            // Deleted on termination (the volume service's worker removes it).
            try await waitForVolume(client, token, VolumeID(try #require(scratch["volumeId"] as? String)), nil)
        }
    }

    @Test func badMappingsAreRefusedBeforeAnythingIsMade() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let token = try await memberToken(client, admin: admin, user: "alice", project: "alpha")
            let other = try await memberToken(client, admin: admin, user: "bob", project: "beta")
            let image = try await uploadImage(client, token)
            let volume = try await createVolume(client, token)
            let hidden = try await createVolume(client, other)
            func create(_ mappings: Any, count: Int = 1) async throws -> TestClient.Reply {
                try await nova(client, .post, "/servers", token, ["server": [
                    "name": "bad", "flavorRef": "1", "networks": "none", "block_device_mapping_v2": mappings, "max_count": count,
                ] as [String: Any]])
            }
            let fromImage: [String: Any] = ["uuid": image, "source_type": "image", "destination_type": "volume", "boot_index": 0]
            expectNovaFault(try await create([fromImage]), 400, "non-zero size")
            expectNovaFault(try await create([fromImage.merging(["volume_size": 1, "source_type": "disk"]) { $1 }]), 400, "source_type")
            expectNovaFault(try await create([fromImage.merging(["volume_size": 1, "destination_type": "cloud"]) { $1 }]), 400, "destination_type")
            expectNovaFault(try await create([fromImage.merging(["volume_size": 1, "colour": "red"]) { $1 }]), 400, "'colour'")
            expectNovaFault(try await create([fromImage.merging(["volume_size": 1, "boot_index": 1]) { $1 }]), 400, "Boot sequence")
            expectNovaFault(try await create([fromImage.merging(["volume_size": 1, "uuid": VolumeID.generateUUID().rawValue]) { $1 }]), 400, "could not be found")
            expectNovaFault(try await create("not a list"), 400, "block_device_mapping_v2")
            let existing: [String: Any] = ["uuid": volume.rawValue, "source_type": "volume", "destination_type": "volume", "boot_index": 0]
            expectNovaFault(try await create([existing], count: 2), 400, "more than one server")
            expectNovaFault(try await create([existing, existing.merging(["boot_index": 1]) { $1 }]), 400, "more than once")
            expectNovaFault(try await create([existing.merging(["uuid": hidden.rawValue]) { $1 }]), 400, "failed to get volume")
            expectNovaFault(try await create([existing.merging(["source_type": "snapshot"]) { $1 }]), 400, "snapshot")
            expectNovaFault(try await create([["source_type": "image", "destination_type": "volume", "boot_index": 0, "volume_size": 1]]), 400, "UUID")
            _ = try await reserveVolume(client, token, volume, instance: "elsewhere")
            expectNovaFault(try await create([existing]), 400, "must be 'available'")

            let servers = try await nova(client, .get, "/servers", token).list("servers")
            #expect(servers.isEmpty, "no server was made: \(servers)")
        }
    }

    @Test func aFailedBuildGivesItsVolumesBack() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let volume = try await createVolume(client, token)
            let driver = try #require(cloud.compute.drivers["fake-0"])
            await driver.injectFailure(.spawn, message: "the guest would not start")
            let id = try await bootFromVolume(client, token, mappings: [
                ["uuid": image, "source_type": "image", "destination_type": "volume", "boot_index": 0, "volume_size": 1],
                ["uuid": volume.rawValue, "source_type": "volume", "destination_type": "volume"],
            ])
            let failed = try await waitForStatus(client, token, id, "ERROR")
            #expect(failed.string("server", "fault", "message")?.contains("would not start") == true, "\(failed.summary)")
            #expect((failed.value("server", "os-extended-volumes:volumes_attached") as? [Any])?.isEmpty == true, "\(failed.summary)")
            #expect(try await volumeStatus(client, token, volume) == "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
            // The volume made from the image is deleted (the volume service's worker removes it).
            let deadline = ContinuousClock.now + .seconds(20)
            var remaining = try await volumeIds(client, token)
            while remaining != [volume], ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
                remaining = try await volumeIds(client, token)
            }
            #expect(remaining == [volume], "the volume made from the image is deleted")
        }
    }

    /// A host that stopped after plugging a volume into a guest, before the compute API recorded the attachment (the
    /// API then gave the reservation back, or never heard): at its next start the guest lets the volume go and the
    /// volume service's leftover attachment is deleted; an attach still on its way (only reserved) is left alone.
    @Test func recoveryUndoesAnAttachTheHostDidNotFinish() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token), networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            let instance = InstanceID(id)
            let (plugged, reserved) = (try await createVolume(client, token), try await createVolume(client, token))
            // What the host did before it stopped: the volume service's attachment got its connector, the guest the file.
            let leftover = try await reserveVolume(client, token, plugged, instance: id)
            let connector = ["attachment": ["connector": ["host": "fake-0", "mountpoint": "/dev/vdb"]]]
            let updated = try await cinder(client, .put, "/attachments/\(leftover)", token, connector)
            try #require(updated.status == 200, "\(updated.summary)")
            let path = try #require(updated.string("attachment", "connection_info", "data", "path"), "\(updated.summary)")
            let driver = try #require(cloud.compute.drivers["fake-0"])
            try await driver.attachVolume(instance, volume: VolumeAttachmentSpec(volumeId: plugged.rawValue, path: path))
            let onItsWay = try await reserveVolume(client, token, reserved, instance: id)

            cloud.clock.advance(seconds: 1)
            try await cloud.compute.recover(startedAt: Timestamp(cloud.clock.now()))
            #expect(try await driver.attachedVolumes(instance).isEmpty, "the guest no longer holds the unrecorded volume")
            let pluggedStatus = try await volumeStatus(client, token, plugged)
            let remaining = try await volumeAttachments(client, token).compactMap { $0["id"] as? String }
            #expect(pluggedStatus == "available")
            #expect(remaining == [onItsWay])
            #expect(try await volumeStatus(client, token, reserved) == "reserved")
            #expect(try await nova(client, .get, "/servers/\(id)", token).string("server", "status") == "ACTIVE")
        }
    }

    /// The conductor reclaims a soft-deleted server as the cloud's service identity (no user asked): its host frees
    /// the server's volumes with the service token.
    @Test func aReclaimedServerGivesItsVolumesBack() async throws {
        try await TestCloud.with(compute: ComputeSettings(reclaimInstanceInterval: 60)) { cloud, client in
            let token = try await client.token()
            let volume = try await createVolume(client, token)
            let id = try await bootFromVolume(client, token, mappings: [
                ["uuid": volume.rawValue, "source_type": "volume", "destination_type": "volume", "boot_index": 0],
            ])
            try await waitForStatus(client, token, id, "ACTIVE")
            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitForStatus(client, token, id, "SOFT_DELETED")
            #expect(try await volumeStatus(client, token, volume) == "in-use", "a soft-deleted server keeps its volumes")
            cloud.clock.advance(seconds: 61)
            try await cloud.compute.reclaimQueuedDeletes()
            try await waitUntilGone(client, token, id)
            try await waitForVolume(client, token, volume, "available")
            #expect(try await volumeAttachments(client, token).isEmpty)
        }
    }
}
