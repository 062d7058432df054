import Foundation
import HTTPSupport

/// Boots `count` servers of m1.tiny with `concurrency` requests in flight, waits until all are ACTIVE, times
/// GET /servers/detail with all of them present, then deletes them all and waits until they are gone.
struct ServersBenchmark: Sendable {
    let cloud: BenchCloud
    let count: Int
    let concurrency: Int
    let detailRounds: Int
    /// The pause between two polls of the list while waiting, like `openstack server create --wait`'s.
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
        try await waitUntil { servers in
            if let failed = servers.first(where: { $0.status == "ERROR" }) { throw BenchCloud.Failure(description: "server \(failed.id) went to ERROR") }
            return servers.count(where: { $0.status == "ACTIVE" }) >= count
        }
        let active = clock.now - start
        print("POST /servers done in \(format(posted.seconds)) s: \(format(Double(count) / posted.seconds)) requests/s")
        print("create->ACTIVE: \(count) servers in \(format(active.seconds)) s: \(format(Double(count) / active.seconds)) servers/s")
        print(posts.line("POST /servers"))

        var details = Latencies()
        for _ in 0..<detailRounds {
            details.append(try await cloud.call("GET", "/compute/v2.1/servers/detail?limit=1000", expecting: 200).elapsed)
        }
        print(details.line("GET /servers/detail?limit=1000 (\(min(count, 1000)) servers)"))

        let ids = created.sorted()
        let deleteStart = clock.now
        let deletes = try await inParallel(ids.count) { index in
            try await cloud.call("DELETE", "/compute/v2.1/servers/\(ids[index])", expecting: 204).elapsed
        }
        try await waitUntil { $0.isEmpty }
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

    /// Polls the project's servers (every page) until `done` says so.
    private func waitUntil(_ done: ([ServerStatus]) throws -> Bool) async throws {
        while try !done(try await servers()) {
            try await Task.sleep(for: pollInterval)
        }
    }

    /// The project's servers with their status, following the pages.
    private func servers() async throws -> [ServerStatus] {
        struct Page: Decodable {
            struct Link: Decodable { let rel: String }
            let servers: [ServerStatus]
            let servers_links: [Link]?
        }
        var all: [ServerStatus] = []
        var marker: String?
        repeat {
            let path = "/compute/v2.1/servers/detail?limit=1000" + (marker.map { "&marker=\($0)" } ?? "")
            let page = try JSONDecoder().decode(Page.self, from: Data(try await cloud.call("GET", path, expecting: 200).body))
            all += page.servers
            marker = page.servers_links?.contains { $0.rel == "next" } == true ? page.servers.last?.id : nil
        } while marker != nil
        return all
    }
}

/// One server in a detailed list, as far as the benchmark cares.
struct ServerStatus: Decodable, Sendable {
    let id: String
    let status: String
}

/// The ids of the servers created so far, from every worker.
actor IDCollector {
    private(set) var ids: [String] = []

    func add(_ id: String) { ids.append(id) }
}
