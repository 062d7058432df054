import Database
import StratusCore

/// Nova's quotas: limits from the project, else the `default` class, else Nova's defaults; usage counted from
/// the records (instances by database aggregates); an excess is Nova's 403.
struct Quotas {
    let repository: any ComputeRepository

    static func projectScope(_ project: ProjectID) -> String { "project:\(project)" }
    static func classScope(_ name: String) -> String { "class:\(name)" }

    func classLimits(_ name: String = "default") async throws -> [QuotaResource: Int] {
        let stored = try await repository.quotaLimits(scope: Self.classScope(name))
        return Dictionary(uniqueKeysWithValues: QuotaResource.allCases.map { ($0, stored[$0.rawValue] ?? $0.defaultLimit) })
    }

    func limits(_ project: ProjectID) async throws -> [QuotaResource: Int] {
        let stored = try await repository.quotaLimits(scope: Self.projectScope(project))
        return try await classLimits().merging(QuotaResource.allCases.compactMap { resource in stored[resource.rawValue].map { (resource, $0) } }) { $1 }
    }

    /// What the project uses now (key pairs: the user's).
    func usage(_ project: ProjectID, user: UserID) async throws -> [QuotaResource: Int] {
        let instances = try await repository.instanceUsage(project: project)
        return [
            .instances: instances.instances,
            .cores: instances.vcpus,
            .ram: instances.memoryMB,
            .keyPairs: try await repository.keypairs(user: user).count,
            .serverGroups: try await repository.serverGroups(project: project).count,
            .serverGroupMembers: 0,
            .metadataItems: 0,
        ]
    }

    /// 403 when `requested` more of `resource` would pass the limit (-1: unlimited).
    static func check(_ resource: QuotaResource, requested: Int, used: Int, limit: Int) throws {
        guard limit >= 0, used + requested > limit else { return }
        throw StratusError.forbidden(
            "Quota exceeded for \(resource.rawValue): Requested \(requested), but already used \(used) of \(limit) \(resource.rawValue)"
        )
    }

    /// How many of `count` (at least `minimum`) instances of `flavor` the project may still boot under its `limits`; 403
    /// when not even `minimum`.
    func allowedInstances(_ project: ProjectID, limits: [QuotaResource: Int], flavor: Flavor, minimum: Int, count: Int) async throws -> Int {
        let usage = try await repository.instanceUsage(project: project)
        let used: [QuotaResource: Int] = [.instances: usage.instances, .cores: usage.vcpus, .ram: usage.memoryMB]
        var allowed = count
        for (resource, each) in [(QuotaResource.instances, 1), (.cores, flavor.vcpus), (.ram, flavor.memoryMB)] where limits[resource]! >= 0 && each > 0 {
            allowed = min(allowed, (limits[resource]! - used[resource]!) / each)
        }
        if allowed < minimum {
            for (resource, each) in [(QuotaResource.instances, 1), (.cores, flavor.vcpus), (.ram, flavor.memoryMB)] {
                try Self.check(resource, requested: minimum * each, used: used[resource]!, limit: limits[resource]!)
            }
        }
        return max(allowed, minimum)
    }
}
