import Database
import Foundation
import HTTPTypes
import StratusCore
import StratusTesting
import Testing

@Suite("Resize, snapshots, server groups and quotas")
struct ResizeSnapshotGroupQuotaTests {
    @Test func resizeWaitsForConfirmationAndRevertRestoresTheFlavor() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token), networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["resize": ["flavorRef": "1"]]), 400, "change flavor")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["resize": ["flavorRef": "2"]]).status == 202)
            let verify = try await waitForStatus(client, token, id, "VERIFY_RESIZE")
            #expect(verify.string("server", "flavor", "original_name") == "m1.small")
            let used = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.87").list("hypervisors").first?["memory_mb_used"] as? Int
            #expect(used == 2048)
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["confirmResize": NSNull()]).status == 204)
            try await waitForStatus(client, token, id, "ACTIVE")

            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["resize": ["flavorRef": "3"]]).status == 202)
            try await waitForStatus(client, token, id, "VERIFY_RESIZE")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["revertResize": NSNull()]).status == 202)
            let reverted = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(reverted.string("server", "flavor", "original_name") == "m1.small")
            let after = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.87").list("hypervisors").first?["memory_mb_used"] as? Int
            #expect(after == 2048)
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["confirmResize": NSNull()]), 409)
        }
    }

    @Test func snapshotsBecomeActiveImagesOfTheProject() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let base = try await uploadImage(client, token)
            let id = try await boot(client, token, image: base, networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            let reply = try await nova(client, .post, "/servers/\(id)/action", token, ["createImage": ["name": "snap", "metadata": ["purpose": "backup"]]])
            #expect(reply.status == 202, "\(reply.summary)")
            let image = try #require(reply.string("image_id"))
            let deadline = ContinuousClock.now + .seconds(20)
            var status: String?
            while status != "active", ContinuousClock.now < deadline {
                status = try await client.request(.get, "/image/v2/images/\(image)", token: token).string("status")
                try await Task.sleep(for: .milliseconds(5))
            }
            let shown = try await client.request(.get, "/image/v2/images/\(image)", token: token)
            #expect(shown.string("status") == "active")
            #expect(shown.string("image_type") == "snapshot")
            #expect(shown.string("instance_uuid") == id)
            #expect(shown.string("base_image_ref") == base)
            #expect(shown.string("purpose") == "backup")
            try await waitForStatus(client, token, id, "ACTIVE")
            #expect(try await nova(client, .get, "/servers/\(id)", token).value("server", "OS-EXT-STS:task_state") is NSNull)
        }
    }

    @Test func antiAffinityKeepsMembersApartAndAffinityTogether() async throws {
        try await TestCloud.with(computeHosts: 3) { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            for (policy, distinctHosts) in [("anti-affinity", 3), ("affinity", 1)] {
                let group = try await nova(client, .post, "/os-server-groups", token, ["server_group": ["name": policy, "policy": policy]])
                #expect(group.status == 200, "\(group.summary)")
                let groupId = try #require(group.string("server_group", "id"))
                var hosts: Set<String> = []
                for index in 0..<3 {
                    let id = try await boot(client, token, image: image, name: "\(policy)-\(index)", networks: "none", extra: [:], hints: ["group": groupId])
                    hosts.insert(try #require(try await waitForStatus(client, token, id, "ACTIVE").string("server", "OS-EXT-SRV-ATTR:host")))
                }
                #expect(hosts.count == distinctHosts, "\(policy): \(hosts)")
                let members = try await nova(client, .get, "/os-server-groups/\(groupId)", token).value("server_group", "members") as? [String]
                #expect(members?.count == 3)
            }
            // A fourth anti-affinity member has no host left.
            let groups = try await nova(client, .get, "/os-server-groups", token).list("server_groups")
            let apart = try #require(groups.first { $0["policy"] as? String == "anti-affinity" }?["id"] as? String)
            // A group shows its project and user from 2.13, as Nova's (tempest's 2.1 schema refuses them before).
            #expect(groups.allSatisfy { $0["project_id"] is String && $0["user_id"] is String })
            let old = try await nova(client, .get, "/os-server-groups/\(apart)", token, version: "2.12").value("server_group") as? [String: Any]
            #expect(old?["project_id"] == nil && old?["user_id"] == nil && old?["policies"] as? [String] == ["anti-affinity"])
            let fourth = try await boot(client, token, image: image, name: "one-too-many", networks: "none", hints: ["group": apart])
            let failed = try await waitForStatus(client, token, fourth, "ERROR")
            #expect(failed.string("server", "fault", "message")?.contains("ServerGroupAntiAffinityFilter") == true)
            expectNovaFault(try await nova(client, .post, "/os-server-groups", token, ["server_group": ["name": "x", "policy": "sideways"]]), 400)
        }
    }

    /// `same_host` and `different_host` are kept in the instance's request spec, which the scheduler reads.
    @Test func hostHintsAreRecordedInTheRequestSpecAndHonoured() async throws {
        try await TestCloud.with(computeHosts: 3) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            func host(_ id: String) async throws -> String {
                try #require(try await waitForStatus(client, token, id, "ACTIVE").string("server", "OS-EXT-SRV-ATTR:host"))
            }
            // Each hint names a server placed already (the filters look where the hinted servers run).
            let first = try await boot(client, token, image: image, name: "first", networks: "none")
            let firstHost = try await host(first)
            let away = try await boot(client, token, image: image, name: "away", networks: "none", hints: ["different_host": [first]])
            let awayHost = try await host(away)
            #expect(awayHost != firstHost)
            let beside = try await boot(client, token, image: image, name: "beside", networks: "none", hints: ["same_host": away])
            #expect(try await host(beside) == awayHost)
            let spec = try #require(try await cloud.backend.requestSpecs.requestSpec(instance: InstanceID(beside)))
            #expect(spec.sameHost == [InstanceID(away)] && spec.differentHost.isEmpty && spec.flavor.id.rawValue == "1", "\(spec)")
        }
    }

    @Test func quotasAreEnforcedAndOnlyAdminSetsThem() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            let project = try #require(try await client.request(.get, "/identity/v3/projects?name=demo", token: admin).list("projects").first?["id"] as? String)
            let defaults = try await nova(client, .get, "/os-quota-sets/\(project)", demo)
            #expect(defaults.value("quota_set", "instances") as? Int == 10)
            expectNovaFault(try await nova(client, .put, "/os-quota-sets/\(project)", demo, ["quota_set": ["instances": 100]]), 403)
            let set = try await nova(client, .put, "/os-quota-sets/\(project)", admin, ["quota_set": ["instances": 1, "cores": 4]])
            #expect(set.value("quota_set", "instances") as? Int == 1, "\(set.summary)")
            let image = try await uploadImage(client, admin)
            let shared = try await client.request(.patch, "/image/v2/images/\(image)", token: admin,
                                                  json: "[{\"op\": \"replace\", \"path\": \"/visibility\", \"value\": \"public\"}]",
                                                  headers: ["Content-Type": "application/openstack-images-v2.1-json-patch"])
            #expect(shared.status == 200, "\(shared.summary)")
            let first = try await boot(client, demo, image: image, networks: "none")
            try await waitForStatus(client, demo, first, "ACTIVE")
            let second = try await nova(client, .post, "/servers", demo, ["server": ["name": "two", "imageRef": image, "flavorRef": "1", "networks": "none"]])
            expectNovaFault(second, 403, "Quota exceeded for instances")
            let limits = try await nova(client, .get, "/limits", demo)
            #expect(limits.value("limits", "absolute", "maxTotalInstances") as? Int == 1)
            #expect(limits.value("limits", "absolute", "totalInstancesUsed") as? Int == 1)
            // The limits older microversions still show, and newer ones do not (Nova's samples of 2.1, 2.36, 2.39, 2.57).
            let keys = { (version: String) in
                Set((try await nova(client, .get, "/limits", demo, version: version).value("limits", "absolute") as? [String: Any] ?? [:]).keys)
            }
            let old = ["maxSecurityGroups", "maxTotalFloatingIps", "maxImageMeta", "maxPersonality", "maxPersonalitySize"]
            let (v21, v236, v239, v257) = (try await keys("2.1"), try await keys("2.36"), try await keys("2.39"), try await keys("2.57"))
            #expect(v21.isSuperset(of: old + ["maxSecurityGroupRules", "totalSecurityGroupsUsed", "totalFloatingIpsUsed"]), "\(v21)")
            #expect(v236.isSuperset(of: ["maxImageMeta", "maxPersonality"]) && !v236.contains("maxSecurityGroups"), "\(v236)")
            #expect(v239.contains("maxPersonality") && !v239.contains("maxImageMeta"), "\(v239)")
            #expect(v257.isDisjoint(with: old), "\(v257)")
            expectNovaFault(try await nova(client, .put, "/os-quota-sets/\(project)", admin, ["quota_set": ["instances": "many"]]), 400)
        }
    }
}
