public import StratusCore

/// The identity service's repositories over one executor: the backend, or a transaction.
public struct IdentityRepositories: Sendable {
    public let domains: any RecordRepository<Domain>
    public let projects: any RecordRepository<Project>
    public let users: any RecordRepository<User>
    public let roles: any RecordRepository<Role>
    public let services: any RecordRepository<CatalogService>
    public let endpoints: any RecordRepository<Endpoint>
    public let assignments: any AssignmentRepository
    public let revocations: any RevocationRepository

    public init(_ executor: any SQLExecutor) {
        domains = SQLRecordRepository<Domain>(executor)
        projects = SQLRecordRepository<Project>(executor)
        users = SQLRecordRepository<User>(executor)
        roles = SQLRecordRepository<Role>(executor)
        services = SQLRecordRepository<CatalogService>(executor)
        endpoints = SQLRecordRepository<Endpoint>(executor)
        assignments = SQLAssignmentRepository(executor)
        revocations = SQLRevocationRepository(executor)
    }
}

extension SQLBackend {
    /// Repositories outside any transaction.
    public var identity: IdentityRepositories { IdentityRepositories(self) }

    /// Runs `body` with repositories inside one transaction: all of its changes land, or none.
    public func identityTransaction<T: Sendable>(_ body: @escaping @Sendable (IdentityRepositories) async throws -> T) async throws -> T {
        try await transaction { executor in try await body(IdentityRepositories(executor)) }
    }
}
