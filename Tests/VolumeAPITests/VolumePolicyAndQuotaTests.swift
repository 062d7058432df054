import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Volume policy and quotas")
struct VolumePolicyAndQuotaTests {
    @Test func projectsSeeOnlyTheirVolumesAndReadersNeverChangeThem() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await projectToken(client, admin: admin, user: "demo", project: "demo")
            let other = try await projectToken(client, admin: admin, user: "other", project: "other")
            let reader = try await projectToken(client, admin: admin, user: "reader", project: "demo", role: "reader")
            let volume = try await createVolume(client, demo, ["size": 1, "name": "mine"])

            expectFault(try await cinder(client, .get, "/volumes/\(volume)", other), 404, "itemNotFound")
            #expect(try await cinder(client, .get, "/volumes", other).list("volumes").isEmpty)
            expectFault(try await cinder(client, .delete, "/volumes/\(volume)", other), 404, "itemNotFound")
            #expect(try await cinder(client, .get, "/volumes/\(volume)", reader).status == 200)
            expectFault(try await cinder(client, .put, "/volumes/\(volume)", reader, ["volume": ["name": "x"]]), 403, "forbidden")
            expectFault(try await cinder(client, .post, "/volumes", reader, ["volume": ["size": 1]]), 403, "forbidden")
            expectFault(try await cinder(client, .delete, "/volumes/\(volume)", reader), 403, "forbidden")

            // Admins see every project's with all_tenants, and only then.
            #expect(try await cinder(client, .get, "/volumes", admin).list("volumes").isEmpty)
            #expect(try await cinder(client, .get, "/volumes?all_tenants=1", admin).list("volumes").count == 1)
            #expect(try await cinder(client, .get, "/volumes?all_tenants=1", demo).list("volumes").count == 1)
            #expect(try await cinder(client, .get, "/volumes/\(volume)", admin).status == 200)

            // reset-status is admin only.
            expectFault(try await cinder(client, .post, "/volumes/\(volume)/action", demo, ["os-reset_status": ["status": "error"]]), 403, "forbidden")
            #expect(try await cinder(client, .post, "/volumes/\(volume)/action", admin, ["os-reset_status": ["status": "error"]]).status == 202)
            #expect(try await cinder(client, .get, "/volumes/\(volume)", demo).string("volume", "status") == "error")

            // The project in the path must be the token's.
            let otherProject = try #require(try await client.request(.get, "/identity/v3/projects?name=other", token: admin).list("projects").first?["id"] as? String)
            expectFault(try await cinder(client, .get, "/\(otherProject)/volumes", demo), 400, "badRequest")
        }
    }

    @Test func quotasLimitVolumesAndGigabytes() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let demo = try await projectToken(client, admin: admin, user: "demo", project: "demo")
            let project = try #require(try await client.request(.get, "/identity/v3/projects?name=demo", token: admin).list("projects").first?["id"] as? String)

            let shown = try await cinder(client, .get, "/os-quota-sets/\(project)", demo)
            #expect(shown.int("quota_set", "volumes") == 10 && shown.int("quota_set", "gigabytes") == 1000)
            #expect(shown.int("quota_set", "per_volume_gigabytes") == -1 && shown.int("quota_set", "volumes___DEFAULT__") == -1)
            expectFault(try await cinder(client, .put, "/os-quota-sets/\(project)", demo, ["quota_set": ["volumes": 1]]), 403, "forbidden")
            let set = try await cinder(client, .put, "/os-quota-sets/\(project)", admin, ["quota_set": ["volumes": 1, "gigabytes": 5]])
            #expect(set.int("quota_set", "volumes") == 1, "\(set.summary)")
            expectFault(try await cinder(client, .put, "/os-quota-sets/\(project)", admin, ["quota_set": ["bogus": 1]]), 400, "badRequest")

            expectFault(try await cinder(client, .post, "/volumes", demo, ["volume": ["size": 6]]), 413, "overLimit",
                        containing: "Requested volume or snapshot exceeds allowed gigabytes quota. Requested 6G, quota is 5G and 0G has been consumed.")
            _ = try await createVolume(client, demo, ["size": 2])
            expectFault(try await cinder(client, .post, "/volumes", demo, ["volume": ["size": 1]]), 413, "overLimit",
                        containing: "Maximum number of volumes allowed (1) exceeded for quota 'volumes'.")
            let usage = try await cinder(client, .get, "/os-quota-sets/\(project)?usage=true", demo)
            #expect(usage.int("quota_set", "volumes", "in_use") == 1 && usage.int("quota_set", "gigabytes", "in_use") == 2)
            let limits = try await cinder(client, .get, "/limits", demo)
            #expect(limits.int("limits", "absolute", "maxTotalVolumes") == 1 && limits.int("limits", "absolute", "totalGigabytesUsed") == 2)
        }
    }

    @Test func volumeTypesListTheDefault() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let types = try await cinder(client, .get, "/types", admin).list("volume_types")
            #expect(types.map { $0["name"] as? String } == ["__DEFAULT__"])
            let defaultType = try await cinder(client, .get, "/types/default", admin)
            #expect(defaultType.string("volume_type", "name") == "__DEFAULT__")
            #expect(defaultType.value("volume_type", "is_public") as? Bool == true)
            expectFault(try await cinder(client, .get, "/types/default", admin, version: "3.61"), 404, "itemNotFound")
        }
    }
}
