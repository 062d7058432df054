import Database
import StratusCore
import StratusTesting
import Testing

@Suite("Volume records")
struct VolumeRepositoryTests {
    static let now = Timestamp(rawValue: 1_800_000_000_000_000)

    @Test(arguments: TestEngine.allCases)
    func volumesSnapshotsAttachmentsAndQuotasRoundTrip(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let repository = backend.volumes
            let type = try #require(try await repository.volumeTypes().first)
            #expect(type.name == VolumeType.defaultName)
            var volume = Volume(
                id: .generateUUID(), projectId: "p1", userId: "u1", name: "v", description: nil, size: 2, availabilityZone: "nova",
                volumeTypeId: type.id, metadata: ["a": "b"], imageMetadata: ["image_id": "i"], createdAt: Self.now
            )
            try await repository.createVolume(volume)
            #expect(try await repository.volume(volume.id) == volume)
            #expect(try await repository.transitionVolume(volume.id, from: [.creating], to: .available, at: Self.now))
            #expect(!(try await repository.transitionVolume(volume.id, from: [.creating], to: .error, at: Self.now)))
            volume.status = .available
            volume.updatedAt = Self.now
            #expect(try await repository.volume(volume.id) == volume)
            #expect(try await repository.volumes(project: "p2").isEmpty)

            let snapshot = VolumeSnapshot(id: .generateUUID(), projectId: "p1", userId: "u1", volumeId: volume.id, name: nil, description: "d", size: 2, createdAt: Self.now)
            try await repository.createSnapshot(snapshot)
            #expect(try await repository.snapshots(project: nil, volume: volume.id) == [snapshot])

            var attachment = VolumeAttachment(id: .generateUUID(), volumeId: volume.id, projectId: "p1", instanceId: "server", status: .reserved, attachMode: "rw", createdAt: Self.now)
            try await repository.createAttachment(attachment)
            attachment.connectionInfo = .init(driverVolumeType: "file", path: "/v", format: "qcow2")
            attachment.status = .attached
            attachment.attachedAt = Self.now
            #expect(try await repository.updateAttachment(attachment))
            #expect(try await repository.attachments(project: "p1", volume: nil) == [attachment])
            #expect(try await repository.deleteAttachment(attachment.id))

            try await repository.setVolumeQuotaLimit(project: "p1", resource: "volumes", limit: 3)
            try await repository.setVolumeQuotaLimit(project: "p1", resource: "volumes", limit: 4)
            #expect(try await repository.volumeQuotaLimits(project: "p1") == ["volumes": 4])

            #expect(try await repository.deleteSnapshot(snapshot.id))
            #expect(try await repository.deleteVolume(volume.id))
            #expect(try await repository.volume(volume.id) == nil)
        }
    }
}
