public import Database
import Foundation
public import HTTPSupport
public import ServiceClients
public import StratusCore

/// The volume service's operations with Cinder's policy: volumes belong to projects; a user sees only its project's
/// (admin: every project's); what another project owns is a 404; readers never change anything.
public struct VolumeService: Sendable {
    let database: any SQLBackend
    let backend: any VolumeBackend
    let worker: VolumeWorker
    let images: any VolumeImageSource
    let clock: any WallClock

    public init(database: any SQLBackend, backend: any VolumeBackend, worker: VolumeWorker, images: any VolumeImageSource, clock: any WallClock) {
        self.database = database
        self.backend = backend
        self.worker = worker
        self.images = images
        self.clock = clock
    }

    var repository: any VolumeRepository { database.volumes }
    var now: Timestamp { Timestamp(clock.now()) }

    /// The one availability zone.
    static let availabilityZone = "nova"

    // MARK: Policy

    static func requireReader(_ auth: AuthContext, rule: String) throws {
        guard auth.canRead else { throw CinderFault.policy(rule) }
    }

    static func requireWriter(_ auth: AuthContext, rule: String) throws {
        guard auth.canWrite else { throw CinderFault.policy(rule) }
    }

    static func requireAdmin(_ auth: AuthContext, rule: String) throws {
        guard auth.isAdmin else { throw CinderFault.policy(rule) }
    }

    static func owns(_ project: ProjectID, _ auth: AuthContext) -> Bool {
        auth.isAdmin || project == auth.projectId
    }

    /// The project new objects belong to: the token's.
    static func project(of auth: AuthContext) throws -> ProjectID {
        guard let project = auth.projectId else { throw StratusError.badRequest("A project-scoped token is required.") }
        return project
    }

    /// The volume if the caller may see it; 404 otherwise.
    static func visibleVolume(_ id: VolumeID, _ auth: AuthContext, in repository: any VolumeRepository) async throws -> Volume {
        guard let volume = try await repository.volume(id), owns(volume.projectId, auth) else { throw CinderFault.volumeNotFound(id.rawValue) }
        return volume
    }

    static func visibleSnapshot(_ id: SnapshotID, _ auth: AuthContext, in repository: any VolumeRepository) async throws -> VolumeSnapshot {
        guard let snapshot = try await repository.snapshot(id), owns(snapshot.projectId, auth) else {
            throw CinderFault.snapshotNotFound(id.rawValue)
        }
        return snapshot
    }

    // MARK: Reads

    public func volume(_ id: VolumeID, auth: AuthContext) async throws -> Volume {
        try Self.requireReader(auth, rule: "volume:get")
        return try await Self.visibleVolume(id, auth, in: repository)
    }

    /// The caller's project's volumes; every project's for an admin asking `allProjects`.
    func volumes(auth: AuthContext, allProjects: Bool) async throws -> [Volume] {
        try Self.requireReader(auth, rule: "volume:get_all")
        if allProjects, auth.isAdmin { return try await repository.volumes(project: nil) }
        return try await repository.volumes(project: try Self.project(of: auth))
    }

    func volumeTypes() async throws -> [VolumeType] {
        try await repository.volumeTypes()
    }

    /// Each volume's attachments that are complete, for the volumes' `attachments`.
    func attachedAttachments(project: ProjectID?) async throws -> [VolumeID: [VolumeAttachment]] {
        Dictionary(grouping: try await repository.attachments(project: project, volume: nil).filter { $0.status == .attached }, by: \.volumeId)
    }

    // MARK: Updates

    func updateVolume(_ id: VolumeID, _ update: VolumeUpdate, auth: AuthContext) async throws -> Volume {
        try Self.requireWriter(auth, rule: "volume:update")
        return try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            if let name = update.name { volume.name = name }
            if let description = update.description { volume.description = description }
            if let metadata = update.metadata { volume.metadata = metadata }
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
            return volume
        }
    }

    /// Changes the volume's metadata with `change` (a merge, a replacement, a key's removal); returns the result.
    func changeMetadata(
        _ id: VolumeID, auth: AuthContext, _ change: @escaping @Sendable (inout [String: String]) throws -> Void
    ) async throws -> [String: String] {
        try Self.requireWriter(auth, rule: "volume:update_volume_metadata")
        return try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            try change(&volume.metadata)
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
            return volume.metadata
        }
    }

    func setBootable(_ id: VolumeID, _ bootable: Bool, auth: AuthContext) async throws {
        try Self.requireWriter(auth, rule: "volume_extension:volume_actions:set_bootable")
        try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            volume.bootable = bootable
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
        }
    }

    /// Admin only: sets the status (and attach status) without any check, as Cinder's `os-reset_status`.
    func resetStatus(_ id: VolumeID, status: Volume.Status?, attachStatus: Volume.AttachStatus?, auth: AuthContext) async throws {
        try Self.requireAdmin(auth, rule: "volume_extension:volume_admin_actions:reset_status")
        try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            if let status { volume.status = status }
            if let attachStatus { volume.attachStatus = attachStatus }
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
        }
    }

    /// Grows an available volume: `extending` until the backend is done, then `available` at the new size.
    func extendVolume(_ id: VolumeID, to size: Int, auth: AuthContext) async throws {
        try Self.requireWriter(auth, rule: "volume:extend")
        try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            guard size > volume.size else {
                throw CinderFault.invalidInput(
                    "New size for extend must be greater than current size. (current: \(volume.size), extended: \(size))."
                )
            }
            guard volume.status == .available else {
                throw CinderFault.invalidVolume("Volume \(id) status must be 'available' to extend, currently \(volume.status.rawValue).")
            }
            try await VolumeQuotas.check(project: volume.projectId, addingVolumes: 0, gigabytes: size - volume.size, volumeSize: size, in: tx.volumes)
            volume.status = .extending
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
        }
        worker.submit(.extend(id, size: size))
    }

    /// Starts the delete of a volume that is available or failed, unattached and without snapshots.
    public func deleteVolume(_ id: VolumeID, auth: AuthContext) async throws {
        try Self.requireWriter(auth, rule: "volume:delete")
        try await database.transaction { tx in
            var volume = try await Self.visibleVolume(id, auth, in: tx.volumes)
            let deletable: [Volume.Status] = [.available, .error, .errorExtending]
            let attachments = try await tx.volumes.attachments(project: nil, volume: id)
            let snapshots = try await tx.volumes.snapshots(project: nil, volume: id)
            guard deletable.contains(volume.status), attachments.isEmpty, snapshots.isEmpty else {
                throw CinderFault.invalidVolume(
                    "Volume status must be available or error or error_restoring or error_extending or error_managing and must not be "
                        + "migrating, attached, belong to a group, have snapshots, awaiting a transfer, or be disassociated from snapshots "
                        + "after volume transfer."
                )
            }
            volume.status = .deleting
            volume.updatedAt = now
            try await tx.volumes.updateVolume(volume)
        }
        worker.submit(.delete(id))
    }
}

/// The fields a volume update (`PUT /volumes/{id}`) sets; nil leaves one as it is.
struct VolumeUpdate: Sendable {
    var name: String?
    var description: String?
    var metadata: [String: String]?
}
