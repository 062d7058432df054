public import Database
import StratusCore

/// The first-start state of a cloud, made idempotently on every start: domain Default, project admin,
/// user admin with role admin, the three roles, and one catalog entry per API the process serves.
public struct IdentityBootstrap: Sendable {
    /// A service this process serves: type, name and public URL.
    public struct ServiceEntry: Sendable {
        public let type: String
        public let name: String
        public let url: String

        public init(type: String, name: String, url: String) {
            self.type = type
            self.name = name
            self.url = url
        }
    }

    public let adminPassword: String
    public let services: [ServiceEntry]
    public let region: String

    public init(adminPassword: String, services: [ServiceEntry], region: String = "RegionOne") {
        self.adminPassword = adminPassword
        self.services = services
        self.region = region
    }

    /// Creates what is missing. Existing users keep their passwords; catalog URLs follow the current address.
    /// Returns true when the admin user was created by this call.
    @discardableResult
    public func run(backend: any SQLBackend, hasher: PasswordHasher) async throws -> Bool {
        let existingAdmin = try await backend.identity.users.list([.init("name", "admin"), .init("domain_id", DomainID.defaultDomain.rawValue)]).first
        let adminHash = existingAdmin == nil ? try await hasher.hash(adminPassword) : nil
        return try await backend.identityTransaction { repositories in
            if try await repositories.domains.get(.defaultDomain) == nil {
                try await repositories.domains.create(Domain(id: .defaultDomain, name: "Default", description: "The default domain"))
            }
            var roles: [String: RoleID] = [:]
            for name in [Role.admin, Role.member, Role.reader] {
                if let role = try await repositories.roles.list([.init("name", name)]).first {
                    roles[name] = role.id
                } else {
                    let role = Role(id: .generate(), name: name)
                    try await repositories.roles.create(role)
                    roles[name] = role.id
                }
            }
            let project: Project
            if let found = try await repositories.projects.list([.init("name", "admin"), .init("domain_id", DomainID.defaultDomain.rawValue)]).first {
                project = found
            } else {
                project = Project(id: .generate(), name: "admin", domainId: .defaultDomain, description: "Bootstrap project for the cloud administrator")
                try await repositories.projects.create(project)
            }
            var created = false
            let admin: User
            if let existingAdmin {
                admin = existingAdmin
            } else {
                admin = User(id: .generate(), name: "admin", domainId: .defaultDomain, defaultProjectId: project.id, passwordHash: adminHash)
                try await repositories.users.create(admin)
                created = true
            }
            try await repositories.assignments.grant(RoleAssignment(userId: admin.id, roleId: roles[Role.admin]!, target: .project(project.id)))
            try await repositories.assignments.grant(RoleAssignment(userId: admin.id, roleId: roles[Role.admin]!, target: .domain(.defaultDomain)))
            try await ensureCatalog(repositories)
            return created
        }
    }

    private func ensureCatalog(_ repositories: IdentityRepositories) async throws {
        for entry in services {
            let service: CatalogService
            if let found = try await repositories.services.list([.init("type", entry.type)]).first {
                service = found
            } else {
                service = CatalogService(id: .generate(), type: entry.type, name: entry.name)
                try await repositories.services.create(service)
            }
            for interface in ["public", "internal", "admin"] {
                let existing = try await repositories.endpoints.list([.init("service_id", service.id.rawValue), .init("interface", interface)])
                if var endpoint = existing.first {
                    if endpoint.url != entry.url {
                        endpoint.url = entry.url
                        try await repositories.endpoints.update(endpoint)
                    }
                } else {
                    try await repositories.endpoints.create(
                        Endpoint(id: .generate(), serviceId: service.id, interface: interface, regionId: region, url: entry.url)
                    )
                }
            }
        }
    }
}
