import Database
import StratusCore

/// `{"role_assignments": [...], "links": {...}}`
struct AssignmentList: Encodable, Sendable {
    let roleAssignments: [AssignmentView]
    let links: CollectionLinks

    enum CodingKeys: String, CodingKey { case links, roleAssignments = "role_assignments" }
}

/// One entry of `GET /v3/role_assignments`, with names when `include_names` is set.
struct AssignmentView: Encodable, Sendable {
    struct Named: Encodable, Sendable {
        let id: String
        let name: String?
        let domain: NamedDomain?
    }

    struct Scope: Encodable, Sendable {
        let project: Named?
        let domain: Named?
    }

    struct Links: Encodable, Sendable { let assignment: String }

    let role: Named
    let user: Named
    let scope: Scope
    let links: Links

    static func make(_ assignment: RoleAssignment, includeNames: Bool, repositories: IdentityRepositories, urls: IdentityURLs) async throws -> AssignmentView {
        func domain(_ id: DomainID) async throws -> NamedDomain? {
            guard includeNames, let found = try await repositories.domains.get(id) else { return nil }
            return NamedDomain(id: found.id.rawValue, name: found.name)
        }
        let role = includeNames ? try await repositories.roles.get(assignment.roleId) : nil
        let user = includeNames ? try await repositories.users.get(assignment.userId) : nil
        let scope: Scope
        let path: String
        switch assignment.target {
        case .project(let id):
            let project = includeNames ? try await repositories.projects.get(id) : nil
            let projectDomain: NamedDomain? = if let project { try await domain(project.domainId) } else { nil }
            scope = Scope(project: Named(id: id.rawValue, name: project?.name, domain: projectDomain), domain: nil)
            path = "projects/\(id)"
        case .domain(let id):
            scope = Scope(project: nil, domain: Named(id: id.rawValue, name: try await domain(id)?.name, domain: nil))
            path = "domains/\(id)"
        }
        let userDomain: NamedDomain? = if let user { try await domain(user.domainId) } else { nil }
        return AssignmentView(
            role: Named(id: assignment.roleId.rawValue, name: role?.name, domain: nil),
            user: Named(id: assignment.userId.rawValue, name: user?.name, domain: userDomain),
            scope: scope,
            links: Links(assignment: urls.v3 + "/\(path)/users/\(assignment.userId)/roles/\(assignment.roleId)")
        )
    }
}
