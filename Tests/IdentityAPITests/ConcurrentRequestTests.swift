import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// Requests racing each other: each answers with a proper status, never a 500, and the state stays consistent.
@Suite("Concurrent identity requests")
struct ConcurrentRequestTests {
    @Test("ten concurrent creations of one project name: exactly one 201, the rest 409")
    func duplicateCreations() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await client.request(.post, "/identity/v3/projects", token: admin, json: ["project": ["name": "race"]]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 9)
            #expect(try await client.request(.get, "/identity/v3/projects?name=race", token: admin).list("projects").count == 1)
        }
    }

    @Test("concurrent grants of one role are all 204 and leave one assignment")
    func concurrentGrants() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let userId = try await client.createBareUser("alice", password: "alice-password", adminToken: admin)
            let projectId = try await client.createProject("demo", adminToken: admin)
            let roleId = try await client.id(of: "roles", named: "member", token: admin)
            let path = "/identity/v3/projects/\(projectId)/users/\(userId)/roles/\(roleId)"
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await client.request(.put, path, token: admin).status }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 204, count: 8))
            let assignments = try await client.request(.get, "/identity/v3/role_assignments?user.id=\(userId)", token: admin)
            #expect(assignments.list("role_assignments").count == 1)
        }
    }

    @Test("concurrent logins all get distinct working tokens")
    func concurrentLogins() async throws {
        try await TestCloud.with { cloud, client in
            let tokens = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await client.token() }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            #expect(Set(tokens).count == 8)
            for token in tokens {
                #expect(try await client.statusUsing(token) == 200)
            }
        }
    }
}
