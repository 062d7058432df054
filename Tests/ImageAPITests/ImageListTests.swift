import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image list: filters, sorting, pagination")
struct ImageListTests {
    /// Eight images, created 10 s apart in this order:
    /// alice (project alpha): cirros (private, active 100 B, tags linux+small, os_distro cirros), ubuntu (shared, raw, active 1000 B, tag linux),
    /// windows (community, iso, queued, tag big), hidden (os_hidden); admin: fedora (public);
    /// demo: bob-private (private), bob-shared (shared with alpha, pending), bob-community (community).
    struct Catalog: Sendable {
        let actors: ImageActors
        let ids: [String: String]
        /// `created_at` of each image, as the API shows it.
        let createdAt: [String: String]

        subscript(_ name: String) -> String { ids[name]! }
        func names(_ ids: [String]) -> [String] { ids.map { id in self.ids.first { $0.value == id }?.key ?? id } }
    }

    static func populate(_ cloud: TestCloud, _ client: TestClient) async throws -> Catalog {
        let actors = try await client.imageActors()
        var ids: [String: String] = [:]
        var created: [String: String] = [:]
        func make(_ name: String, _ token: String, _ fields: [String: Any], data: [UInt8]? = nil) async throws {
            cloud.clock.advance(seconds: 10)
            let id = try await client.createImage(token: token, name: name, fields)
            if let data { #expect(try await client.upload(id, data, token: token).status == 204) }
            ids[name] = id
            created[name] = try await client.showImage(id, token: token).value("created_at") as? String
        }
        try await make("cirros", actors.alice, ["visibility": "private", "tags": ["linux", "small"], "os_distro": "cirros"], data: payload(100))
        try await make("ubuntu", actors.alice, ["disk_format": "raw", "tags": ["linux"]], data: payload(1000))
        try await make("windows", actors.alice, ["disk_format": "iso", "visibility": "community", "tags": ["big"]])
        try await make("hidden", actors.alice, ["os_hidden": true])
        try await make("fedora", actors.admin, ["visibility": "public"])
        try await make("bob-private", actors.demo, ["visibility": "private"])
        try await make("bob-shared", actors.demo, [:])
        try await make("bob-community", actors.demo, ["visibility": "community"])
        let share = try await client.glance(.post, "/images/\(ids["bob-shared"]!)/members", token: actors.demo, json: ["member": actors.aliceProject])
        #expect(share.status == 200, "\(share.summary)")
        return Catalog(actors: actors, ids: ids, createdAt: created)
    }

    @Test("the default list: own, public and accepted shared images, newest first; not hidden, others' private or community")
    func defaultList() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let ids = try await client.listImageIDs(token: catalog.actors.alice)
            #expect(catalog.names(ids) == ["fedora", "windows", "ubuntu", "cirros"])
            let reply = try await client.glance(.get, "/images", token: catalog.actors.alice)
            #expect(reply.value("first") as? String == "/v2/images")
            #expect(reply.value("schema") as? String == "/v2/schemas/images")
            #expect(reply.value("next") == nil, "one page needs no next link: \(reply.summary)")
        }
    }

    @Test("filters on name, status, disk_format, owner, id=in:")
    func equalityFilters() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(catalog.names(try await client.listImageIDs("name=cirros", token: alice)) == ["cirros"])
            #expect(try await client.listImageIDs("name=nothing", token: alice).isEmpty)
            #expect(Set(catalog.names(try await client.listImageIDs("status=active", token: alice))) == ["cirros", "ubuntu"])
            #expect(Set(catalog.names(try await client.listImageIDs("status=queued", token: alice))) == ["windows", "fedora"])
            #expect(catalog.names(try await client.listImageIDs("disk_format=raw", token: alice)) == ["ubuntu"])
            #expect(Set(catalog.names(try await client.listImageIDs("owner=\(catalog.actors.aliceProject)", token: alice)))
                    == ["cirros", "ubuntu", "windows"])
            #expect(Set(catalog.names(try await client.listImageIDs(
                "owner=\(catalog.actors.demoProject)&visibility=all", token: catalog.actors.admin
            ))) == ["bob-private", "bob-shared", "bob-community"])
            // Another project's private image stays invisible whatever the filter.
            #expect(try await client.listImageIDs("owner=\(catalog.actors.demoProject)&visibility=private", token: alice).isEmpty)
            #expect(Set(catalog.names(try await client.listImageIDs("id=in:\(catalog["cirros"]),\(catalog["fedora"])", token: alice)))
                    == ["cirros", "fedora"])
            #expect(try await client.listImageIDs("id=in:\(catalog["bob-private"])", token: alice).isEmpty)
            #expect(catalog.names(try await client.listImageIDs("id=\(catalog["ubuntu"])", token: alice)) == ["ubuntu"])
            // Custom properties filter too (`?os_distro=cirros`).
            #expect(catalog.names(try await client.listImageIDs("os_distro=cirros", token: alice)) == ["cirros"])
            #expect(try await client.listImageIDs("os_distro=ubuntu", token: alice).isEmpty)
        }
    }

    @Test("filters on visibility: public, private, shared, community, all")
    func visibilityFilter() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(catalog.names(try await client.listImageIDs("visibility=public", token: alice)) == ["fedora"])
            #expect(catalog.names(try await client.listImageIDs("visibility=private", token: alice)) == ["cirros"])
            #expect(catalog.names(try await client.listImageIDs("visibility=shared", token: alice)) == ["ubuntu"])
            #expect(Set(catalog.names(try await client.listImageIDs("visibility=community", token: alice))) == ["windows", "bob-community"])
            let all = Set(catalog.names(try await client.listImageIDs("visibility=all", token: alice)))
            #expect(all.isSuperset(of: ["cirros", "ubuntu", "windows", "fedora", "bob-community"]), "\(all)")
            #expect(!all.contains("bob-private"))
            #expect(!all.contains("hidden"))
            // The admin sees every project's private images.
            #expect(Set(catalog.names(try await client.listImageIDs("visibility=private", token: catalog.actors.admin))) == ["cirros", "bob-private"])
        }
    }

    @Test("tag filters: one tag, and two tags meaning both")
    func tagFilter() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(Set(catalog.names(try await client.listImageIDs("tag=linux", token: alice))) == ["cirros", "ubuntu"])
            #expect(catalog.names(try await client.listImageIDs("tag=linux&tag=small", token: alice)) == ["cirros"])
            #expect(try await client.listImageIDs("tag=small&tag=big", token: alice).isEmpty)
        }
    }

    @Test("size_min and size_max bound the data size; images without data never match")
    func sizeFilter() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(catalog.names(try await client.listImageIDs("size_min=500", token: alice)) == ["ubuntu"])
            #expect(catalog.names(try await client.listImageIDs("size_max=500", token: alice)) == ["cirros"])
            #expect(Set(catalog.names(try await client.listImageIDs("size_min=100&size_max=1000", token: alice))) == ["cirros", "ubuntu"])
            #expect(try await client.listImageIDs("size_min=1001", token: alice).isEmpty)
        }
    }

    @Test("created_at=gt:/gte:/lt: compare with the creation time")
    func createdAtFilter() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            let windows = try #require(catalog.createdAt["windows"])
            #expect(catalog.names(try await client.listImageIDs("created_at=gt:\(windows)", token: alice)) == ["fedora"])
            #expect(catalog.names(try await client.listImageIDs("created_at=gte:\(windows)", token: alice)) == ["fedora", "windows"])
            #expect(catalog.names(try await client.listImageIDs("created_at=lt:\(windows)", token: alice)) == ["ubuntu", "cirros"])
            #expect(catalog.names(try await client.listImageIDs("created_at=eq:\(windows)", token: alice)) == ["windows"])
        }
    }

    @Test("member_status: a pending shared image is listed with member_status=pending, and by default once accepted")
    func memberStatusFilter() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(!catalog.names(try await client.listImageIDs(token: alice)).contains("bob-shared"))
            #expect(catalog.names(try await client.listImageIDs("visibility=shared&member_status=pending", token: alice))
                .contains("bob-shared"))
            #expect(!catalog.names(try await client.listImageIDs("visibility=shared&member_status=accepted", token: alice))
                .contains("bob-shared"))
            let accept = try await client.glance(
                .put, "/images/\(catalog["bob-shared"])/members/\(catalog.actors.aliceProject)", token: alice, json: ["status": "accepted"]
            )
            #expect(accept.status == 200, "\(accept.summary)")
            #expect(catalog.names(try await client.listImageIDs(token: alice)).contains("bob-shared"))
            #expect(Set(catalog.names(try await client.listImageIDs("visibility=shared", token: alice))) == ["ubuntu", "bob-shared"])
            #expect(!catalog.names(try await client.listImageIDs("visibility=shared&member_status=pending", token: alice))
                .contains("bob-shared"))
        }
    }

    /// Glance: `member_status` is one of accepted, pending, rejected or all; `all` lists shared images whatever the status.
    @Test("member_status=all lists shared images offered to the caller whatever their membership status")
    func memberStatusAll() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            let shared = try await client.listImageIDs("visibility=shared&member_status=all", token: alice)
            #expect(Set(catalog.names(shared)) == ["ubuntu", "bob-shared"], "pending image missing from member_status=all")
            let plain = try await client.listImageIDs("member_status=all", token: alice)
            #expect(catalog.names(plain).contains("bob-shared"), "pending image missing from member_status=all: \(catalog.names(plain))")
        }
    }

    @Test("os_hidden images are left out by default and listed with os_hidden=true; they can still be shown")
    func hiddenImages() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(!catalog.names(try await client.listImageIDs(token: alice)).contains("hidden"))
            #expect(!catalog.names(try await client.listImageIDs("os_hidden=false", token: alice)).contains("hidden"))
            #expect(catalog.names(try await client.listImageIDs("os_hidden=true", token: alice)).contains("hidden"))
            #expect(try await client.showImage(catalog["hidden"], token: alice).value("os_hidden") as? Bool == true)
        }
    }

    @Test("sort=name:asc, sort=status:asc,name:asc, and sort_key/sort_dir in either order")
    func sorting() async throws {
        try await TestCloud.with { cloud, client in
            let catalog = try await Self.populate(cloud, client)
            let alice = catalog.actors.alice
            #expect(catalog.names(try await client.listImageIDs("sort=name:asc", token: alice)) == ["cirros", "fedora", "ubuntu", "windows"])
            #expect(catalog.names(try await client.listImageIDs("sort=name:desc", token: alice)) == ["windows", "ubuntu", "fedora", "cirros"])
            #expect(catalog.names(try await client.listImageIDs("sort=status:asc,name:asc", token: alice))
                    == ["cirros", "ubuntu", "fedora", "windows"])
            #expect(catalog.names(try await client.listImageIDs("sort_key=name&sort_dir=asc", token: alice))
                    == ["cirros", "fedora", "ubuntu", "windows"])
            #expect(catalog.names(try await client.listImageIDs("sort_dir=asc&sort_key=name", token: alice))
                    == ["cirros", "fedora", "ubuntu", "windows"])
            #expect(catalog.names(try await client.listImageIDs("sort_key=name&sort_dir=desc", token: alice))
                    == ["windows", "ubuntu", "fedora", "cirros"])
            #expect(catalog.names(try await client.listImageIDs("sort_key=created_at&sort_dir=asc", token: alice))
                    == ["cirros", "ubuntu", "windows", "fedora"])
        }
    }

    @Test("limit and marker page through every image exactly once, following the next links")
    func pagination() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            var created: [String] = []
            for index in 0..<7 {
                // Some images share a creation time: the pages must still be stable.
                if index % 2 == 0 { cloud.clock.advance(seconds: 5) }
                created.append(try await client.createImage(token: actors.alice, name: "page-\(index)"))
            }
            let everything = try await client.listImageIDs(token: actors.alice)
            #expect(Set(everything) == Set(created))

            for query in ["limit=2", "limit=3&sort=name:asc", "sort_key=created_at&sort_dir=asc&limit=1"] {
                var seen: [String] = []
                var uri: String? = "/image/v2/images?" + query
                var pages = 0
                while let next = uri, pages < 20 {
                    let reply = try await client.glance(.get, next, token: actors.alice)
                    #expect(reply.status == 200, "\(next): \(reply.summary)")
                    let page = reply.list("images").compactMap { $0["id"] as? String }
                    let limit = Int(query.split(separator: "&").first { $0.hasPrefix("limit=") }!.dropFirst(6))!
                    #expect(page.count <= limit)
                    #expect(!page.isEmpty, "empty page at \(next)")
                    seen += page
                    pages += 1
                    if let link = reply.value("next") as? String {
                        #expect(link.hasPrefix("/v2/images?"), "\(link)")
                        #expect(link.contains("marker=\(page.last ?? "")"), "\(link)")
                        #expect(link.contains("limit="), "next link lost the limit: \(link)")
                        uri = "/image" + link
                    } else {
                        uri = nil
                    }
                }
                #expect(seen.count == created.count, "\(query): saw \(seen.count) images")
                #expect(Set(seen) == Set(created), "\(query)")
                let ordered = try await client.listImageIDs(query.split(separator: "&").filter { !$0.hasPrefix("limit=") }.joined(separator: "&"),
                                                            token: actors.alice)
                #expect(seen == ordered, "\(query): pages are not in the list's order")
            }
        }
    }

    /// `sort=:` splits into no parts; indexing `parts[0]` (ImageListQuery.swift, `case "sort"`) traps and takes the
    /// whole server down. Run in a child process so that the crash fails this test only.
    @Test("sort=: (an empty sort item) is a 400, not a crash")
    func emptySortItem() async throws {
        await #expect(processExitsWith: .success) {
            let cloud = try await TestCloud.make()
            let status = try await cloud.test { client in
                let actors = try await client.imageActors()
                var statuses: [Int] = []
                for query in ["sort=:", "sort=name:asc,:"] {
                    statuses.append(try await client.glance(.get, "/images?" + query, token: actors.alice).status)
                }
                return statuses
            }
            if status != [400, 400] { exit(EXIT_FAILURE) }
        }
    }

    @Test(
        "malformed list parameters are 400s",
        arguments: [
            "marker=00000000-0000-4000-8000-000000000000", "sort=flavor:asc", "sort=name:sideways", "sort_key=flavor", "sort_dir=up",
            "visibility=everyone", "limit=-1", "limit=many", "created_at=yesterday", "created_at=after:2027-01-01T00:00:00Z",
            "member_status=maybe", "size_min=-1", "size_max=big", "os_hidden=perhaps",
        ]
    )
    func badParameters(query: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            _ = try await client.createImage(token: actors.alice)
            let reply = try await client.glance(.get, "/images?" + query, token: actors.alice)
            expectFault(reply, 400, title: "Bad Request")
        }
    }

    @Test("a marker the caller cannot see is a 400, as an unknown one")
    func invisibleMarker() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let secret = try await client.createImage(token: actors.demo, ["visibility": "private"])
            _ = try await client.createImage(token: actors.alice)
            expectFault(try await client.glance(.get, "/images?marker=\(secret)", token: actors.alice), 400)
        }
    }
}
