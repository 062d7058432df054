import Database
import StratusCore

/// Cinder's per-project quotas: limits (the defaults unless an admin set one; -1 is unlimited) and what a project uses.
enum VolumeQuotas {
    /// Cinder's default limits (`quota_volumes`, `quota_gigabytes` ...), and the per-type limits of the default type.
    static let defaults: [String: Int] = [
        "volumes": 10, "gigabytes": 1000, "snapshots": 10, "backups": 10, "backup_gigabytes": 1000, "groups": 10,
        "per_volume_gigabytes": -1, "volumes_\(VolumeType.defaultName)": -1, "gigabytes_\(VolumeType.defaultName)": -1,
        "snapshots_\(VolumeType.defaultName)": -1,
    ]

    static func limits(project: ProjectID, in repository: any VolumeRepository) async throws -> [String: Int] {
        defaults.merging(try await repository.volumeQuotaLimits(project: project)) { $1 }
    }

    /// What the project uses of each resource: gigabytes count volumes and snapshots, as Cinder's do.
    static func usage(project: ProjectID, in repository: any VolumeRepository) async throws -> [String: Int] {
        let volumes = try await repository.volumes(project: project)
        let snapshots = try await repository.snapshots(project: project, volume: nil)
        let gigabytes = volumes.reduce(0) { $0 + $1.size } + snapshots.reduce(0) { $0 + $1.size }
        var usage = Dictionary(uniqueKeysWithValues: defaults.keys.map { ($0, 0) })
        usage["volumes"] = volumes.count
        usage["snapshots"] = snapshots.count
        usage["gigabytes"] = gigabytes
        usage["volumes_\(VolumeType.defaultName)"] = volumes.count
        usage["snapshots_\(VolumeType.defaultName)"] = snapshots.count
        usage["gigabytes_\(VolumeType.defaultName)"] = gigabytes
        return usage
    }

    /// 413 unless the project may add `addingVolumes` volumes (or snapshots, `snapshots`) and `gigabytes` GiB, one
    /// volume being `volumeSize` GiB; Cinder's messages.
    static func check(
        project: ProjectID, addingVolumes: Int, snapshots: Int = 0, gigabytes: Int, volumeSize: Int?, in repository: any VolumeRepository
    ) async throws {
        let limits = try await limits(project: project, in: repository)
        let usage = try await usage(project: project, in: repository)
        if let volumeSize, let limit = limits["per_volume_gigabytes"], limit >= 0, volumeSize > limit {
            throw CinderFault.overQuota("Requested volume size \(volumeSize)G is larger than maximum allowed limit \(limit)G.")
        }
        if let limit = limits["gigabytes"], limit >= 0, gigabytes > 0, usage["gigabytes", default: 0] + gigabytes > limit {
            throw CinderFault.overQuota(
                "Requested volume or snapshot exceeds allowed gigabytes quota. Requested \(gigabytes)G, quota is \(limit)G and "
                    + "\(usage["gigabytes", default: 0])G has been consumed."
            )
        }
        if let limit = limits["volumes"], limit >= 0, addingVolumes > 0, usage["volumes", default: 0] + addingVolumes > limit {
            throw CinderFault.overQuota("Maximum number of volumes allowed (\(limit)) exceeded for quota 'volumes'.")
        }
        if let limit = limits["snapshots"], limit >= 0, snapshots > 0, usage["snapshots", default: 0] + snapshots > limit {
            throw CinderFault.overQuota("Maximum number of snapshots allowed (\(limit)) exceeded")
        }
    }
}
