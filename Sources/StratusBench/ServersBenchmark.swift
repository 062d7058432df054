import Foundation
import HTTPSupport
import ServiceClients

/// Boots `count` servers of m1.tiny with `concurrency` requests in flight, waits until all are ACTIVE, times
/// GET /servers/detail with all of them present, then deletes them all and waits until they are gone.
struct ServersBenchmark: Sendable {
    let cloud: BenchCloud
    let count: Int
    let concurrency: Int
    let detailRounds: Int
    /// Timed loads of the dashboard's instances page with all servers present.
    let dashboardRounds: Int
    /// The pause between two polls while waiting, like `openstack server create --wait`'s.
    let pollInterval: Duration

    func run() async throws {
        try await cloud.unlimitQuotas()
        let flavor = try await cloud.flavorId(named: "m1.tiny")
        let image = try await cloud.uploadImage()
        print("servers: \(count) servers of m1.tiny, \(concurrency) requests in flight, \(cloud.url)")
        let clock = ContinuousClock()

        let start = clock.now
        let (posts, created) = try await create(flavor: flavor, image: image)
        let posted = clock.now - start
        // Done when no server is building any more, and none of them failed: a small question, asked often.
        while try await !servers(status: "BUILD").isEmpty {
            try await Task.sleep(for: pollInterval)
        }
        if let failed = try await servers(status: "ERROR").first { throw BenchCloud.Failure(description: "server \(failed.id) went to ERROR") }
        let active = clock.now - start
        print("POST /servers done in \(format(posted.seconds)) s: \(format(Double(count) / posted.seconds)) requests/s")
        print("create->ACTIVE: \(count) servers in \(format(active.seconds)) s: \(format(Double(count) / active.seconds)) servers/s")
        print(posts.line("POST /servers"))

        var details = Latencies()
        for _ in 0..<detailRounds {
            details.append(try await cloud.call("GET", "/compute/v2.1/servers/detail?limit=1000", expecting: 200).elapsed)
        }
        print(details.line("GET /servers/detail?limit=1000 (\(min(count, 1000)) servers)"))
        if dashboardRounds > 0 {
            let cookie = try await cloud.dashboardSession()
            var pages = Latencies()
            for _ in 0..<dashboardRounds {
                pages.append(try await cloud.page("/dashboard/project/instances", cookie: cookie))
            }
            print(pages.line("GET /dashboard/project/instances (\(count) servers)"))
        }

        let ids = created.sorted()
        let deleteStart = clock.now
        let deletes = try await inParallel(ids.count) { index in
            try await cloud.call("DELETE", "/compute/v2.1/servers/\(ids[index])", expecting: 204).elapsed
        }
        while try await !servers(status: nil).isEmpty {
            try await Task.sleep(for: pollInterval)
        }
        let gone = clock.now - deleteStart
        print("DELETE->gone: \(count) servers in \(format(gone.seconds)) s: \(format(Double(count) / gone.seconds)) servers/s")
        print(deletes.line("DELETE /servers/{id}"))
    }

    /// POSTs the servers; returns the latencies and the new servers' ids.
    private func create(flavor: String, image: String) async throws -> (Latencies, [String]) {
        struct Reply: Decodable {
            struct Server: Decodable { let id: String }
            let server: Server
        }
        let ids = IDCollector()
        let latencies = try await inParallel(count) { index in
            let body: JSONValue = .object(["server": .object([
                "name": .string("bench-\(index)"), "flavorRef": .string(flavor), "imageRef": .string(image), "networks": .string("none"),
            ])])
            let (reply, elapsed) = try await cloud.call("POST", "/compute/v2.1/servers", json: body, expecting: 202)
            await ids.add(try JSONDecoder().decode(Reply.self, from: Data(reply)).server.id)
            return elapsed
        }
        return (latencies, await ids.ids)
    }

    /// Runs `operation` for indices 0..<total with `concurrency` in flight; returns each call's duration.
    private func inParallel(_ total: Int, _ operation: @escaping @Sendable (Int) async throws -> Duration) async throws -> Latencies {
        try await withThrowingTaskGroup(of: Latencies.self) { group in
            for worker in 0..<min(concurrency, total) {
                group.addTask {
                    var latencies = Latencies()
                    for index in stride(from: worker, to: total, by: concurrency) { latencies.append(try await operation(index)) }
                    return latencies
                }
            }
            var all = Latencies()
            for try await latencies in group { all.append(contentsOf: latencies) }
            return all
        }
    }

    /// The first of the project's servers in `status` (any when nil), if there is one.
    private func servers(status: String?) async throws -> [ServerStatus] {
        struct Page: Decodable { let servers: [ServerStatus] }
        let path = "/compute/v2.1/servers?limit=1" + (status.map { "&status=\($0)" } ?? "")
        return try JSONDecoder().decode(Page.self, from: Data(try await cloud.call("GET", path, expecting: 200).body)).servers
    }
}

/// One server in a list, as far as the benchmark cares.
struct ServerStatus: Decodable, Sendable {
    let id: String
}

/// The ids of the servers created so far, from every worker.
actor IDCollector {
    private(set) var ids: [String] = []

    func add(_ id: String) { ids.append(id) }
}
