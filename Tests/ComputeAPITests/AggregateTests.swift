import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Host aggregates and availability zones")
struct AggregateTests {
    /// The zone `os-services` shows for `host`.
    func zone(_ client: TestClient, _ token: String, host: String) async throws -> String? {
        try await nova(client, .get, "/os-services?host=\(host)", token).list("services").first?["zone"] as? String
    }

    @Test func aggregateLifecycleMovesHostsBetweenZones() async throws {
        try await TestCloud.with(computeHosts: 2) { _, client in
            let token = try await client.token()
            let created = try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "agg1", "availability_zone": "az1"]])
            #expect(created.status == 200, "\(created.summary)")
            let id = try #require(created.value("aggregate", "id") as? Int)
            #expect(created.string("aggregate", "availability_zone") == "az1")
            #expect(created.value("aggregate", "deleted") as? Bool == false)
            #expect(created.value("aggregate", "deleted_at") is NSNull)
            #expect(created.value("aggregate", "updated_at") is NSNull)
            #expect(created.string("aggregate", "uuid")?.count == 36)
            #expect(created.value("aggregate", "hosts") == nil && created.value("aggregate", "metadata") == nil)
            #expect(try await nova(client, .get, "/os-aggregates/\(id)", token, version: "2.40").value("aggregate", "uuid") == nil)

            let added = try await nova(client, .post, "/os-aggregates/\(id)/action", token, ["add_host": ["host": "fake-0"]])
            #expect(added.value("aggregate", "hosts") as? [String] == ["fake-0"], "\(added.summary)")
            #expect(added.value("aggregate", "metadata") as? [String: String] == ["availability_zone": "az1"])
            #expect(try await zone(client, token, host: "fake-0") == "az1")
            #expect(try await zone(client, token, host: "fake-1") == "nova")
            let zones = try await nova(client, .get, "/os-availability-zone", token).list("availabilityZoneInfo").compactMap { $0["zoneName"] as? String }
            #expect(zones == ["az1", "nova"])
            let zoneHosts = try await nova(client, .get, "/os-availability-zone/detail", token).list("availabilityZoneInfo")
                .first { $0["zoneName"] as? String == "az1" }?["hosts"] as? [String: Any]
            #expect(zoneHosts?.keys.sorted() == ["fake-0"])

            let tagged = try await nova(client, .post, "/os-aggregates/\(id)/action", token, ["set_metadata": ["metadata": ["ssd": "true"]]])
            #expect(tagged.value("aggregate", "metadata") as? [String: String] == ["availability_zone": "az1", "ssd": "true"])
            #expect(tagged.value("aggregate", "updated_at") is String)
            let untagged = try await nova(client, .post, "/os-aggregates/\(id)/action", token, ["set_metadata": ["metadata": ["ssd": NSNull()]]])
            #expect(untagged.value("aggregate", "metadata") as? [String: String] == ["availability_zone": "az1"])
            let moved = try await nova(client, .post, "/os-aggregates/\(id)/action", token, ["set_metadata": ["metadata": ["availability_zone": "az9"]]])
            #expect(moved.string("aggregate", "availability_zone") == "az9")
            #expect(try await zone(client, token, host: "fake-0") == "az9")
            let renamed = try await nova(client, .put, "/os-aggregates/\(id)", token, ["aggregate": ["name": "renamed", "availability_zone": "az1"]])
            #expect(renamed.string("aggregate", "name") == "renamed", "\(renamed.summary)")
            #expect(try await zone(client, token, host: "fake-0") == "az1")
            #expect(try await nova(client, .get, "/os-aggregates", token).list("aggregates").map { $0["name"] as? String } == ["renamed"])

            expectNovaFault(try await nova(client, .delete, "/os-aggregates/\(id)", token), 400, "not empty")
            let removed = try await nova(client, .post, "/os-aggregates/\(id)/action", token, ["remove_host": ["host": "fake-0"]])
            #expect(removed.value("aggregate", "hosts") as? [String] == [], "\(removed.summary)")
            #expect(try await zone(client, token, host: "fake-0") == "nova")
            let deleted = try await nova(client, .delete, "/os-aggregates/\(id)", token)
            #expect(deleted.status == 200, "\(deleted.summary)")
            expectNovaFault(try await nova(client, .get, "/os-aggregates/\(id)", token), 404, "Aggregate \(id) could not be found.")
        }
    }

    @Test func faultsForBadInputConflictsAndMembers() async throws {
        try await TestCloud.with(computeHosts: 2) { _, client in
            let token = try await client.token()
            let first = try #require(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "a", "availability_zone": "az1"]])
                .value("aggregate", "id") as? Int)
            let second = try #require(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "b", "availability_zone": "az2"]])
                .value("aggregate", "id") as? Int)
            expectNovaFault(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "a"]]), 409, "Aggregate a already exists.")
            expectNovaFault(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["availability_zone": "x"]]), 400, "'name' is a required property")
            expectNovaFault(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "c", "color": "red"]]), 400, "'color'")
            expectNovaFault(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": 7]]), 400, "name")
            expectNovaFault(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "d", "availability_zone": "a:b"]]), 400, "availability_zone")
            expectNovaFault(try await nova(client, .put, "/os-aggregates/\(first)", token, ["aggregate": [String: String]()]), 400, "enough properties")
            expectNovaFault(try await nova(client, .put, "/os-aggregates/\(first)", token, ["aggregate": ["name": "b"]]), 409, "already exists")
            expectNovaFault(try await nova(client, .get, "/os-aggregates/abc", token), 400, "id must be an integer")
            expectNovaFault(try await nova(client, .get, "/os-aggregates/999", token), 404, "Aggregate 999 could not be found.")

            let action = "/os-aggregates/\(first)/action"
            expectNovaFault(try await nova(client, .post, action, token, ["add_host": ["host": "nowhere"]]), 404, "Compute host nowhere could not be found.")
            expectNovaFault(try await nova(client, .post, action, token, ["add_host": [String: String]()]), 400, "'host' is a required property")
            expectNovaFault(try await nova(client, .post, action, token, ["fly": ["host": "fake-0"]]), 400, "no such action")
            expectNovaFault(try await nova(client, .post, action, token, ["set_metadata": ["metadata": ["k": 5]]]), 400, "metadata/k")
            expectNovaFault(try await nova(client, .post, action, token, ["set_metadata": ["metadata": ["availability_zone": NSNull()]]]), 400,
                            "does not support empty named availability zone")
            expectNovaFault(try await nova(client, .post, "/os-aggregates/999/action", token, ["add_host": ["host": "fake-0"]]), 404)
            #expect(try await nova(client, .post, action, token, ["add_host": ["host": "fake-0"]]).status == 200)
            expectNovaFault(try await nova(client, .post, action, token, ["add_host": ["host": "fake-0"]]), 409, "already has host fake-0")
            expectNovaFault(try await nova(client, .post, action, token, ["remove_host": ["host": "fake-1"]]), 404, "has no host fake-1")
            // A host is in one zone only.
            expectNovaFault(try await nova(client, .post, "/os-aggregates/\(second)/action", token, ["add_host": ["host": "fake-0"]]), 409,
                            "already in availability zone(s) ['az1']")
            #expect(try await nova(client, .post, "/os-aggregates/\(second)/action", token, ["add_host": ["host": "fake-1"]]).status == 200)
            let third = try #require(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "c"]]).value("aggregate", "id") as? Int)
            #expect(try await nova(client, .post, "/os-aggregates/\(third)/action", token, ["add_host": ["host": "fake-1"]]).status == 200)
            expectNovaFault(try await nova(client, .post, "/os-aggregates/\(third)/action", token, ["set_metadata": ["metadata": ["availability_zone": "az3"]]]),
                            400, "Cannot update metadata of aggregate \(third). Reason: One or more hosts already in availability zone(s) ['az2'].")
            expectNovaFault(try await nova(client, .put, "/os-aggregates/\(third)", token, ["aggregate": ["availability_zone": "az3"]]), 400, "['az2']")
            #expect(try await nova(client, .put, "/os-aggregates/\(third)", token, ["aggregate": ["availability_zone": "az2"]]).status == 200)

            let demo = try await memberToken(client, admin: token, user: "demo", project: "demo")
            expectNovaFault(try await nova(client, .get, "/os-aggregates", demo), 403, "os_compute_api:os-aggregates:index")
            expectNovaFault(try await nova(client, .post, "/os-aggregates", demo, ["aggregate": ["name": "mine"]]), 403)
            expectNovaFault(try await nova(client, .post, action, demo, ["remove_host": ["host": "fake-0"]]), 403)
            expectNovaFault(try await nova(client, .delete, "/os-aggregates/\(first)", demo), 403)
        }
    }

    @Test func bootInAZoneLandsOnlyOnItsAggregatesHosts() async throws {
        try await TestCloud.with(computeHosts: 3) { _, client in
            let token = try await client.token()
            let id = try #require(try await nova(client, .post, "/os-aggregates", token, ["aggregate": ["name": "fast", "availability_zone": "az1"]])
                .value("aggregate", "id") as? Int)
            for host in ["fake-1", "fake-2"] {
                #expect(try await nova(client, .post, "/os-aggregates/\(id)/action", token, ["add_host": ["host": host]]).status == 200)
            }
            let image = try await uploadImage(client, token)
            var hosts: Set<String> = []
            for index in 0..<4 {
                let server = try await boot(client, token, image: image, name: "az-\(index)", networks: "none", extra: ["availability_zone": "az1"])
                let shown = try await waitForStatus(client, token, server, "ACTIVE")
                hosts.insert(try #require(shown.string("server", "OS-EXT-SRV-ATTR:host")))
                #expect(shown.string("server", "OS-EXT-AZ:availability_zone") == "az1")
            }
            #expect(hosts.isSubset(of: ["fake-1", "fake-2"]), "\(hosts)")
            let plain = try await boot(client, token, image: image, name: "default-zone", networks: "none", extra: ["availability_zone": "nova"])
            let shown = try await waitForStatus(client, token, plain, "ACTIVE")
            #expect(shown.string("server", "OS-EXT-SRV-ATTR:host") == "fake-0")
            #expect(shown.string("server", "OS-EXT-AZ:availability_zone") == "nova")
            // Hosts with instances keep their zone.
            expectNovaFault(try await nova(client, .put, "/os-aggregates/\(id)", token, ["aggregate": ["availability_zone": "az2"]]), 400,
                            "contain instances")
        }
    }
}
