import Foundation
import HTTPTypes
import StratusTesting
import Testing

/// Nova's query-string time, `2026-01-31T10:00:00.000000`.
func novaTime(_ date: Date) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return String(formatter.string(from: date).dropLast()) + "000"
}

@Suite("Tenant usage, migrations and pre-2.53 service actions")
struct UsageAndMigrationTests {
    @Test func usageCountsHoursOfLiveAndDeletedServers() async throws {
        try await TestCloud.with(tokenLifetime: 86_400) { cloud, client in
            let token = try await client.token()
            let demo = try await memberToken(client, admin: token, user: "demo", project: "demo")
            let start = cloud.clock.now()
            let image = try await uploadImage(client, token)
            let kept = try await boot(client, token, image: image, name: "kept", networks: "none")
            let gone = try await boot(client, token, image: image, name: "gone", networks: "none")
            let demoImage = try await uploadImage(client, demo)
            let own = try await boot(client, demo, image: demoImage, name: "own", networks: "none")
            for (id, caller) in [(kept, token), (gone, token), (own, demo)] { try await waitForStatus(client, caller, id, "ACTIVE") }
            cloud.clock.advance(seconds: 7200)
            #expect(try await nova(client, .delete, "/servers/\(gone)", token).status == 204)
            try await waitUntilGone(client, token, gone)
            cloud.clock.advance(seconds: 3600)
            let period = "start=\(novaTime(start))&end=\(novaTime(cloud.clock.now()))"

            let all = try await nova(client, .get, "/os-simple-tenant-usage?\(period)&detailed=1", token)
            #expect(all.status == 200, "\(all.summary)")
            let usages = all.list("tenant_usages")
            #expect(usages.count == 2)
            let adminUsage = try #require(usages.first { ($0["server_usages"] as? [[String: Any]])?.count == 2 }, "\(all.summary)")
            #expect(adminUsage["total_hours"] as? Double == 5)
            #expect(adminUsage["total_memory_mb_usage"] as? Double == 2560)
            #expect(adminUsage["total_vcpus_usage"] as? Double == 5)
            #expect(adminUsage["total_local_gb_usage"] as? Double == 5)
            let servers = try #require(adminUsage["server_usages"] as? [[String: Any]])
            let deleted = try #require(servers.first { $0["instance_id"] as? String == gone })
            #expect(deleted["state"] as? String == "terminated")
            #expect(deleted["hours"] as? Double == 2)
            #expect(deleted["uptime"] as? Int == 7200)
            #expect(deleted["ended_at"] is String)
            let live = try #require(servers.first { $0["instance_id"] as? String == kept })
            #expect(live["state"] as? String == "active")
            #expect(live["flavor"] as? String == "m1.tiny")
            #expect(live["memory_mb"] as? Int == 512 && live["vcpus"] as? Int == 1 && live["local_gb"] as? Int == 1)
            #expect(live["ended_at"] is NSNull)
            #expect(live["name"] as? String == "kept")
            let summary = try await nova(client, .get, "/os-simple-tenant-usage?\(period)", token)
            #expect(summary.list("tenant_usages").allSatisfy { $0["server_usages"] == nil && $0["start"] is String && $0["stop"] is String })

            let paged = try await nova(client, .get, "/os-simple-tenant-usage?\(period)&detailed=1&limit=1", token)
            #expect(paged.list("tenant_usages").count == 1)
            let next = try #require((paged.value("tenant_usages_links") as? [[String: Any]])?.first?["href"] as? String)
            #expect(next.contains("/v2.1/os-simple-tenant-usage?") && next.contains("limit=1") && next.contains("marker="))
            #expect(try await nova(client, .get, "/os-simple-tenant-usage?\(period)&limit=1", token, version: "2.39").value("tenant_usages_links") == nil)

            let demoProject = try #require(try await nova(client, .get, "/servers/\(own)", demo).string("server", "tenant_id"))
            let mine = try await nova(client, .get, "/os-simple-tenant-usage/\(demoProject)?\(period)", demo)
            #expect(mine.string("tenant_usage", "tenant_id") == demoProject, "\(mine.summary)")
            #expect((mine.value("tenant_usage", "server_usages") as? [[String: Any]])?.first?["instance_id"] as? String == own)
            #expect(mine.value("tenant_usage", "total_hours") as? Double == 3)
            let adminProject = try #require(adminUsage["tenant_id"] as? String)
            expectNovaFault(try await nova(client, .get, "/os-simple-tenant-usage/\(adminProject)", demo), 403)
            expectNovaFault(try await nova(client, .get, "/os-simple-tenant-usage", demo), 403, "os-simple-tenant-usage:list")
            let empty = try await nova(client, .get, "/os-simple-tenant-usage/nobody?\(period)", token)
            #expect(empty.value("tenant_usage") as? [String: Any] != nil && (empty.value("tenant_usage") as? [String: Any])?.isEmpty == true)
            expectNovaFault(try await nova(client, .get, "/os-simple-tenant-usage?start=\(novaTime(cloud.clock.now()))&end=\(novaTime(start))", token),
                            400, "start time cannot occur after the end time")
            expectNovaFault(try await nova(client, .get, "/os-simple-tenant-usage?start=yesterday", token), 400, "Invalid datetime string")
        }
    }

    @Test func resizeRecordsAMigrationThroughConfirmAndRevert() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token), networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["resize": ["flavorRef": "2"]]).status == 202)
            try await waitForStatus(client, token, id, "VERIFY_RESIZE")
            let listed = try await nova(client, .get, "/os-migrations", token, version: "2.80").list("migrations")
            let first = try #require(listed.first)
            #expect(listed.count == 1)
            #expect(first["status"] as? String == "finished")
            #expect(first["migration_type"] as? String == "resize")
            #expect(first["instance_uuid"] as? String == id)
            #expect(first["source_compute"] as? String == "fake-0" && first["dest_compute"] as? String == "fake-0")
            #expect(first["old_instance_type_id"] as? Int == 1 && first["new_instance_type_id"] as? Int == 2)
            #expect(first["uuid"] is String && first["user_id"] is String && first["project_id"] is String)
            #expect(first["links"] == nil)
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["confirmResize": NSNull()]).status == 204)
            #expect(try await nova(client, .get, "/os-migrations", token).list("migrations").first?["status"] as? String == "confirmed")

            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["resize": ["flavorRef": "3"]]).status == 202)
            try await waitForStatus(client, token, id, "VERIFY_RESIZE")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["revertResize": NSNull()]).status == 202)
            try await waitForStatus(client, token, id, "ACTIVE")
            let deadline = ContinuousClock.now + .seconds(20)
            var statuses: [String] = []
            while ContinuousClock.now < deadline {
                statuses = try await nova(client, .get, "/os-migrations", token).list("migrations").compactMap { $0["status"] as? String }
                if statuses == ["reverted", "confirmed"] { break }
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(statuses == ["reverted", "confirmed"])

            let old = try await nova(client, .get, "/os-migrations", token, version: "2.1").list("migrations")
            #expect(old.allSatisfy { $0["migration_type"] == nil && $0["uuid"] == nil && $0["user_id"] == nil && $0["id"] is Int })
            #expect(try await nova(client, .get, "/os-migrations?status=confirmed", token).list("migrations").count == 1)
            #expect(try await nova(client, .get, "/os-migrations?instance_uuid=\(id)&host=fake-0", token).list("migrations").count == 2)
            #expect(try await nova(client, .get, "/os-migrations?migration_type=live-migration", token).list("migrations").isEmpty)
            #expect(try await nova(client, .get, "/os-migrations?source_compute=fake-9", token).list("migrations").isEmpty)
            #expect(try await nova(client, .get, "/os-migrations?changes-since=2000-01-01T00:00:00Z", token, version: "2.59").list("migrations").count == 2)
            #expect(try await nova(client, .get, "/os-migrations?changes-before=2000-01-01T00:00:00Z", token, version: "2.66").list("migrations").isEmpty)
            let page = try await nova(client, .get, "/os-migrations?limit=1", token, version: "2.59")
            #expect(page.list("migrations").count == 1)
            let next = try #require((page.value("migrations_links") as? [[String: Any]])?.first?["href"] as? String)
            #expect(next.contains("os-migrations?limit=1&marker=\(page.list("migrations").first?["uuid"] as? String ?? "?")"))
            expectNovaFault(try await nova(client, .get, "/os-migrations?color=red", token, version: "2.59"), 400, "'color' was unexpected")
            expectNovaFault(try await nova(client, .get, "/os-migrations?marker=nope", token, version: "2.59"), 400)
            expectNovaFault(try await nova(client, .get, "/os-migrations?changes-since=soon", token, version: "2.59"), 400, "changes-since")

            #expect(try await nova(client, .get, "/servers/\(id)/migrations", token).value("migrations") as? [Any] != nil)
            #expect((try await nova(client, .get, "/servers/\(id)/migrations", token).value("migrations") as? [Any])?.isEmpty == true)
            expectNovaFault(try await nova(client, .get, "/servers/\(id)/migrations", token, version: "2.22"), 404)
            expectNovaFault(try await nova(client, .get, "/servers/\(UUID().uuidString.lowercased())/migrations", token), 404)
            let demo = try await memberToken(client, admin: token, user: "demo", project: "demo")
            expectNovaFault(try await nova(client, .get, "/os-migrations", demo), 403, "os-migrations:index")
        }
    }

    @Test func servicesByActionNameBefore253() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let host: [String: Any] = ["host": "fake-0", "binary": "nova-compute"]
            let disabled = try await nova(client, .put, "/os-services/disable", token, host, version: "2.52")
            #expect(disabled.value("service") as? [String: String] == ["host": "fake-0", "binary": "nova-compute", "status": "disabled"], "\(disabled.summary)")
            let reasoned = try await nova(client, .put, "/os-services/disable-log-reason", token, host.merging(["disabled_reason": "fan"]) { $1 }, version: "2.1")
            #expect(reasoned.value("service") as? [String: String] == ["host": "fake-0", "binary": "nova-compute", "status": "disabled", "disabled_reason": "fan"])
            let listed = try await nova(client, .get, "/os-services", token).list("services").first
            #expect(listed?["status"] as? String == "disabled" && listed?["disabled_reason"] as? String == "fan")
            let forced = try await nova(client, .put, "/os-services/force-down", token, host.merging(["forced_down": true]) { $1 }, version: "2.11")
            #expect(forced.value("service", "forced_down") as? Bool == true, "\(forced.summary)")
            #expect(forced.value("service", "status") == nil)
            let enabled = try await nova(client, .put, "/os-services/enable", token, host, version: "2.52")
            #expect(enabled.string("service", "status") == "enabled")
            let shown = try await nova(client, .get, "/os-services", token).list("services").first
            #expect(shown?["status"] as? String == "enabled" && shown?["disabled_reason"] is NSNull && shown?["forced_down"] as? Bool == true)
            // Before 2.11 a service has no forced_down (tempest's schema of 2.1 refuses it).
            #expect(try await nova(client, .get, "/os-services", token, version: "2.10").list("services").first?.keys.contains("forced_down") == false)

            expectNovaFault(try await nova(client, .put, "/os-services/force-down", token, host.merging(["forced_down": false]) { $1 }, version: "2.10"),
                            404, "Unknown action")
            expectNovaFault(try await nova(client, .put, "/os-services/disable", token, host, version: "2.53"), 404)
            expectNovaFault(try await nova(client, .put, "/os-services/reboot", token, host, version: "2.52"), 404, "Unknown action")
            expectNovaFault(try await nova(client, .put, "/os-services/disable", token, ["host": "nowhere", "binary": "nova-compute"], version: "2.52"),
                            404, "Could not find binary nova-compute on host nowhere.")
            expectNovaFault(try await nova(client, .put, "/os-services/disable", token, ["host": "fake-0"], version: "2.52"), 400, "binary")
            expectNovaFault(try await nova(client, .put, "/os-services/disable", token, host.merging(["color": "red"]) { $1 }, version: "2.52"), 400, "color")
            expectNovaFault(try await nova(client, .put, "/os-services/disable-log-reason", token, host, version: "2.52"), 400, "reason")
            expectNovaFault(try await nova(client, .put, "/os-services/force-down", token, host, version: "2.52"), 400, "forced_down")
            let demo = try await memberToken(client, admin: token, user: "demo", project: "demo")
            expectNovaFault(try await nova(client, .put, "/os-services/disable", demo, host, version: "2.52"), 403)
        }
    }
}
