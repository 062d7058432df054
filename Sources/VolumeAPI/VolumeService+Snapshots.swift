import Database
import HTTPSupport
import ServiceClients
import StratusCore

/// What a snapshot create asks for (`POST /snapshots`).
struct SnapshotCreate: Sendable {
    var volumeId: VolumeID
    var name: String?
    var description: String?
    var metadata: [String: String] = [:]
    /// Allows a snapshot of an in-use volume.
    var force = false
}

extension VolumeService {
    func snapshot(_ id: SnapshotID, auth: AuthContext) async throws -> VolumeSnapshot {
        try Self.requireReader(auth, rule: "volume:get_snapshot")
        return try await Self.visibleSnapshot(id, auth, in: repository)
    }

    func snapshots(auth: AuthContext, allProjects: Bool) async throws -> [VolumeSnapshot] {
        try Self.requireReader(auth, rule: "volume:get_all_snapshots")
        if allProjects, auth.isAdmin { return try await repository.snapshots(project: nil, volume: nil) }
        return try await repository.snapshots(project: try Self.project(of: auth), volume: nil)
    }

    /// Records a snapshot (`creating`) of an available volume (or an in-use one with `force`) and hands the copy to the
    /// worker.
    func createSnapshot(_ request: SnapshotCreate, auth: AuthContext) async throws -> VolumeSnapshot {
        try Self.requireWriter(auth, rule: "volume:create_snapshot")
        let snapshot = try await database.transaction { tx in
            let volume = try await Self.visibleVolume(request.volumeId, auth, in: tx.volumes)
            let allowed: [Volume.Status] = request.force ? [.available, .inUse] : [.available]
            guard allowed.contains(volume.status) else {
                throw CinderFault.invalidVolume(
                    request.force || volume.status != .inUse
                        ? "Volume \(volume.id) status must be available or in-use, but current status is: \(volume.status.rawValue)."
                        : "Volume \(volume.id) status must be available, but current status is: in-use."
                )
            }
            try await VolumeQuotas.check(project: volume.projectId, addingVolumes: 0, snapshots: 1, gigabytes: volume.size, volumeSize: nil, in: tx.volumes)
            let snapshot = VolumeSnapshot(
                id: .generateUUID(), projectId: volume.projectId, userId: auth.userId, volumeId: volume.id, name: request.name,
                description: request.description, size: volume.size, metadata: request.metadata, createdAt: now
            )
            try await tx.volumes.createSnapshot(snapshot)
            return snapshot
        }
        worker.submit(.snapshot(snapshot.id, of: snapshot.volumeId))
        return snapshot
    }

    func updateSnapshot(_ id: SnapshotID, name: String?, description: String?, auth: AuthContext) async throws -> VolumeSnapshot {
        try Self.requireWriter(auth, rule: "volume:update_snapshot")
        return try await database.transaction { tx in
            var snapshot = try await Self.visibleSnapshot(id, auth, in: tx.volumes)
            if let name { snapshot.name = name }
            if let description { snapshot.description = description }
            snapshot.updatedAt = now
            try await tx.volumes.updateSnapshot(snapshot)
            return snapshot
        }
    }

    /// Starts the delete of a snapshot that is available or failed and that no volume is being made from.
    func deleteSnapshot(_ id: SnapshotID, auth: AuthContext) async throws {
        try Self.requireWriter(auth, rule: "volume:delete_snapshot")
        try await database.transaction { tx in
            var snapshot = try await Self.visibleSnapshot(id, auth, in: tx.volumes)
            guard [.available, .error].contains(snapshot.status) else {
                throw CinderFault.invalidSnapshot("Snapshot status must be available or error and no volume can be created from the snapshot.")
            }
            let creating = try await tx.volumes.volumes(project: nil).contains { $0.snapshotId == id && $0.status == .creating }
            guard !creating else {
                throw CinderFault.invalidSnapshot("Snapshot status must be available or error and no volume can be created from the snapshot.")
            }
            snapshot.status = .deleting
            snapshot.updatedAt = now
            try await tx.volumes.updateSnapshot(snapshot)
        }
        worker.submit(.deleteSnapshot(id))
    }
}
