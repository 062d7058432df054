import Database
import StratusCore
import StratusTesting
import Testing

@Suite("Record repositories")
struct RecordRepositoryTests {
    static let domain = Domain(id: .defaultDomain, name: "Default")

    @Test(arguments: TestEngine.allCases)
    func createGetListUpdateDelete(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let repositories = backend.identity
            try await repositories.domains.create(Self.domain)
            let project = Project(id: .generate(), name: "demo", domainId: .defaultDomain, description: "a project")
            try await repositories.projects.create(project)
            #expect(try await repositories.projects.get(project.id) == project)

            let user = User(id: .generate(), name: "alice", domainId: .defaultDomain, defaultProjectId: nil, email: nil, passwordHash: "h")
            try await repositories.users.create(user)
            #expect(try await repositories.users.get(user.id) == user)
            #expect(try await repositories.users.list([.init("name", "alice")]).map(\.id) == [user.id])
            #expect(try await repositories.users.list([.init("name", "bob")]).isEmpty)
            #expect(try await repositories.users.list([.init("enabled", true), .init("domain_id", "default")]).count == 1)

            var changed = user
            changed.enabled = false
            changed.defaultProjectId = project.id
            #expect(try await repositories.users.update(changed))
            #expect(try await repositories.users.get(user.id) == changed)
            // Clearing an optional column writes NULL.
            changed.defaultProjectId = nil
            #expect(try await repositories.users.update(changed))
            #expect(try await repositories.users.get(user.id)?.defaultProjectId == nil)

            #expect(try await repositories.users.update(User(id: .generate(), name: "ghost", domainId: .defaultDomain)) == false)
            #expect(try await repositories.users.delete(user.id))
            #expect(try await repositories.users.delete(user.id) == false)
            #expect(try await repositories.users.get(user.id) == nil)
            await #expect(throws: StratusError.notFound(kind: "user", id: user.id.rawValue)) {
                try await repositories.users.require(user.id)
            }
        }
    }

    @Test(arguments: TestEngine.allCases)
    func duplicateNameIsAConflict(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            let repositories = backend.identity
            try await repositories.domains.create(Self.domain)
            try await repositories.projects.create(Project(id: .generate(), name: "demo", domainId: .defaultDomain))
            await #expect(throws: StratusError.conflict(
                "Conflict occurred attempting to store project - Duplicate entry found with name demo at domain ID default."
            )) {
                try await repositories.projects.create(Project(id: .generate(), name: "demo", domainId: .defaultDomain))
            }
            #expect(try await repositories.projects.list([]).count == 1)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func transactionRollsBackEveryStepOnError(engine: TestEngine) async throws {
        struct Abort: Error {}
        try await engine.withMigratedBackend { backend in
            try await backend.identity.domains.create(Self.domain)
            await #expect(throws: Abort.self) {
                try await backend.identityTransaction { repositories in
                    try await repositories.projects.create(Project(id: .generate(), name: "one", domainId: .defaultDomain))
                    try await repositories.projects.create(Project(id: .generate(), name: "two", domainId: .defaultDomain))
                    throw Abort()
                }
            }
            #expect(try await backend.identity.projects.list([]).isEmpty)
            // A failing statement inside the transaction also leaves nothing behind.
            await #expect(throws: StratusError.self) {
                try await backend.identityTransaction { repositories in
                    try await repositories.projects.create(Project(id: .generate(), name: "three", domainId: .defaultDomain))
                    try await repositories.domains.create(Self.domain)
                }
            }
            #expect(try await backend.identity.projects.list([]).isEmpty)
        }
    }

    @Test(arguments: TestEngine.allCases)
    func concurrentTransactionsAllLand(engine: TestEngine) async throws {
        try await engine.withMigratedBackend { backend in
            try await backend.identity.domains.create(Self.domain)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        try await backend.identityTransaction { repositories in
                            let project = Project(id: .generate(), name: "p\(index)", domainId: .defaultDomain)
                            try await repositories.projects.create(project)
                            _ = try await repositories.projects.require(project.id)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await backend.identity.projects.list([]).count == 50)
        }
    }
}
