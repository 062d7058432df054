public import ComputeLink
public import Database
import Foundation
public import IdentityAPI
import StratusCore

/// `stratus compute-credentials create NAME`: the Keystone service user of compute host NAME (`compute-NAME`, admin
/// in project `service`, as Nova's service user is), with a new random password each time it is run.
public enum ComputeServiceUser {
    public static func create(
        host: String, authURL: String, metadataSecret: String, backend: any SQLBackend, hasher: PasswordHasher
    ) async throws -> ComputeCredentials {
        let name = ComputeLinkGateway.userName(host: host)
        let password = CloudProcess.generatePassword()
        let hash = try await hasher.hash(password)
        try await backend.identityTransaction { repositories in
            let project: Project
            if let found = try await repositories.projects.list([.init("name", "service"), .init("domain_id", DomainID.defaultDomain.rawValue)]).first {
                project = found
            } else {
                project = Project(id: .generate(), name: "service", domainId: .defaultDomain, description: "The cloud's service users")
                try await repositories.projects.create(project)
            }
            guard let admin = try await repositories.roles.list([.init("name", Role.admin)]).first else {
                throw StratusError.conflict("The cloud is not bootstrapped yet: start stratus api (or all-in-one) once first.")
            }
            let user: User
            if var found = try await repositories.users.list([.init("name", name), .init("domain_id", DomainID.defaultDomain.rawValue)]).first {
                found.passwordHash = hash
                try await repositories.users.update(found)
                user = found
            } else {
                user = User(
                    id: .generate(), name: name, domainId: .defaultDomain, defaultProjectId: project.id, description: "Compute host \(host)",
                    passwordHash: hash
                )
                try await repositories.users.create(user)
            }
            try await repositories.assignments.grant(RoleAssignment(userId: user.id, roleId: admin.id, target: .project(project.id)))
        }
        return ComputeCredentials(authURL: authURL, username: name, password: password, metadataSecret: metadataSecret)
    }
}
