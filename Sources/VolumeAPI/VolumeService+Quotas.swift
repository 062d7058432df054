import Database
import HTTPSupport
import ServiceClients
import StratusCore

extension VolumeService {
    /// A project's limits and usage: its own project for anyone who may read, any project for an admin.
    func quotas(project: ProjectID, auth: AuthContext) async throws -> (limits: [String: Int], usage: [String: Int]) {
        try Self.requireReader(auth, rule: "volume_extension:quotas:show")
        guard Self.owns(project, auth) else { throw CinderFault.policy("volume_extension:quotas:show") }
        return (try await VolumeQuotas.limits(project: project, in: repository), try await VolumeQuotas.usage(project: project, in: repository))
    }

    /// Admin only: sets limits (-1 is unlimited); 400 for a resource Cinder does not know or a value below -1.
    func updateQuotas(project: ProjectID, _ limits: [String: Int], auth: AuthContext) async throws -> [String: Int] {
        try Self.requireAdmin(auth, rule: "volume_extension:quotas:update")
        let unknown = limits.keys.filter { VolumeQuotas.defaults[$0] == nil }.sorted()
        guard unknown.isEmpty else { throw StratusError.badRequest("Bad key(s) in quota set: \(unknown.joined(separator: ","))") }
        for (resource, limit) in limits where limit < -1 {
            throw CinderFault.invalidInput("Quota limit \(limit) for \(resource) must be -1 or greater.")
        }
        return try await database.transaction { tx in
            for (resource, limit) in limits { try await tx.volumes.setVolumeQuotaLimit(project: project, resource: resource, limit: limit) }
            return try await VolumeQuotas.limits(project: project, in: tx.volumes)
        }
    }
}
