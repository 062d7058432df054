import Database
import StratusCore
import StratusTesting
import Testing

@Suite("Assignments and revocations")
struct AssignmentAndRevocationTests {
    @Test(arguments: TestEngine.allCases)
    func grantsAreIdempotentAndFilterable(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let repositories = backend.identity
            try await repositories.domains.create(Domain(id: .defaultDomain, name: "Default"))
            let user = User(id: .generate(), name: "u", domainId: .defaultDomain)
            let role = Role(id: .generate(), name: "member")
            let project = ProjectID.generate()
            try await repositories.users.create(user)
            try await repositories.roles.create(role)
            let grant = RoleAssignment(userId: user.id, roleId: role.id, target: .project(project))
            try await repositories.assignments.grant(grant)
            try await repositories.assignments.grant(grant)
            try await repositories.assignments.grant(RoleAssignment(userId: user.id, roleId: role.id, target: .domain(.defaultDomain)))
            #expect(try await repositories.assignments.list(userId: user.id, roleId: nil, target: nil).count == 2)
            #expect(try await repositories.assignments.list(userId: nil, roleId: nil, target: .project(project)) == [grant])
            #expect(try await repositories.assignments.revoke(grant))
            #expect(try await repositories.assignments.revoke(grant) == false)
            try await repositories.assignments.revokeAll(on: .domain(.defaultDomain))
            #expect(try await repositories.assignments.list(userId: user.id, roleId: nil, target: nil).isEmpty)
            // Deleting a role removes its grants.
            try await repositories.assignments.grant(grant)
            try await repositories.roles.delete(role.id)
            #expect(try await repositories.assignments.list(userId: user.id, roleId: nil, target: nil).isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func revocationEventsMatchTheTokensTheyName(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let revocations = backend.identity.revocations
            let alice = UserID.generate()
            let bob = UserID.generate()
            let demo = ProjectID.generate()
            let other = ProjectID.generate()
            let t100 = Timestamp(rawValue: 100)
            let t200 = Timestamp(rawValue: 200)
            let t300 = Timestamp(rawValue: 300)
            func revoked(
                _ audit: String, _ user: UserID, _ project: ProjectID?, _ issued: Timestamp, domain: DomainID? = nil
            ) async throws -> Bool {
                try await revocations.isRevoked(auditIds: [audit], userId: user, projectId: project, domainId: domain, issuedAt: issued)
            }
            #expect(try await revoked("a1", alice, demo, t100) == false)

            try await revocations.add(RevocationEvent(auditId: "a1", issuedBefore: t200))
            #expect(try await revoked("a1", alice, demo, t100))
            #expect(try await revoked("a2", alice, demo, t100) == false)
            #expect(try await revoked("a1", alice, demo, t300) == false)

            try await revocations.add(RevocationEvent(userId: alice, projectId: demo, issuedBefore: t200))
            #expect(try await revoked("x", alice, demo, t100))
            #expect(try await revoked("x", alice, other, t100) == false)
            #expect(try await revoked("x", alice, nil, t100) == false)

            try await revocations.add(RevocationEvent(projectId: other, issuedBefore: t200))
            #expect(try await revoked("x", bob, other, t100))
            #expect(try await revoked("x", bob, demo, t100) == false)

            try await revocations.add(RevocationEvent(userId: bob, issuedBefore: t200))
            #expect(try await revoked("x", bob, demo, t100))
            #expect(try await revoked("x", bob, nil, t100))
            #expect(try await revoked("x", bob, nil, t300) == false)

            let acme = DomainID.generate()
            try await revocations.add(RevocationEvent(domainId: acme, issuedBefore: t200))
            #expect(try await revoked("x", alice, nil, t100, domain: acme))
            #expect(try await revoked("x", alice, nil, t100, domain: .defaultDomain) == false)
            #expect(try await revoked("x", alice, nil, t300, domain: acme) == false)

            try await revocations.purge(issuedBefore: t300)
            #expect(try await revoked("a1", alice, demo, t100) == false)
        }
    }
}
