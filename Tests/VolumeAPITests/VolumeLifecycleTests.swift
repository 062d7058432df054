import Foundation
import HTTPTypes
import StratusApp
import StratusTesting
import Testing
import VolumeAPI

@Suite("Volumes")
struct VolumeLifecycleTests {
    @Test func versionDiscoveryNegotiatesMicroversions() async throws {
        try await TestCloud.with { _, client in
            let root = try await client.request(.get, "/volume/")
            #expect(root.status == 300)
            let version = try #require(root.list("versions").first)
            #expect(version["id"] as? String == "v3.0" && version["min_version"] as? String == "3.0" && version["version"] as? String == "3.70")
            #expect(try await client.request(.get, "/volume/v3/").status == 200)

            let admin = try await client.token()
            let asked = try await cinder(client, .get, "/types", admin, version: "3.50")
            #expect(asked.header("OpenStack-API-Version") == "volume 3.50")
            #expect(asked.header("Vary") == "OpenStack-API-Version")
            #expect(try await cinder(client, .get, "/types", admin, version: nil).header("OpenStack-API-Version") == "volume 3.0")
            #expect(try await cinder(client, .get, "/types", admin, version: "latest").header("OpenStack-API-Version") == "volume 3.70")
            expectFault(try await cinder(client, .get, "/types", admin, version: "3.99"), 406, "notAcceptable")
            expectFault(try await cinder(client, .get, "/types", admin, version: "three"), 400, "badRequest")
            #expect(try await cinder(client, .get, "/types", "not-a-token").status == 401)
        }
    }

    @Test func createShowListUpdateExtendDelete() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let created = try await cinder(client, .post, "/volumes", admin, [
                "volume": ["size": 1, "name": "v1", "description": "first", "metadata": ["tier": "gold"]]
            ])
            #expect(created.status == 202, "\(created.summary)")
            #expect(created.string("volume", "status") == "creating")
            #expect(created.value("volume", "os-vol-tenant-attr:tenant_id") == nil, "extended attributes are for show and list, as Cinder's")
            let id = try #require(created.string("volume", "id"))
            let shown = try await waitForVolume(client, id, admin, status: "available")
            #expect(shown.int("volume", "size") == 1)
            #expect(shown.string("volume", "name") == "v1")
            #expect(shown.string("volume", "bootable") == "false")
            #expect(shown.string("volume", "availability_zone") == "nova")
            #expect(shown.string("volume", "volume_type") == "__DEFAULT__")
            #expect(shown.string("volume", "metadata", "tier") == "gold")
            #expect(shown.value("volume", "attachments") as? [Any] != nil)
            #expect(shown.value("volume", "os-vol-tenant-attr:tenant_id") is String)
            #expect(shown.value("volume", "consumes_quota") as? Bool == true)
            #expect(cloud.volume.backend.name == "fake")

            // Both URL forms.
            let project = try #require(shown.string("volume", "os-vol-tenant-attr:tenant_id"))
            #expect(try await cinder(client, .get, "/\(project)/volumes/\(id)", admin).string("volume", "id") == id)

            let listed = try await cinder(client, .get, "/volumes", admin)
            #expect(listed.list("volumes").map { Set($0.keys) } == [["id", "links", "name"]])
            let updated = try await cinder(client, .put, "/volumes/\(id)", admin, ["volume": ["name": "renamed"]])
            #expect(updated.string("volume", "name") == "renamed")
            let merged = try await cinder(client, .post, "/volumes/\(id)/metadata", admin, ["metadata": ["color": "red"]])
            #expect(merged.value("metadata") as? [String: String] == ["tier": "gold", "color": "red"])
            #expect(try await cinder(client, .delete, "/volumes/\(id)/metadata/tier", admin).status == 200)
            expectFault(try await cinder(client, .delete, "/volumes/\(id)/metadata/tier", admin), 404, "itemNotFound")

            expectFault(try await cinder(client, .post, "/volumes/\(id)/action", admin, ["os-extend": ["new_size": 1]]), 400, "badRequest",
                        containing: "New size for extend must be greater than current size")
            #expect(try await cinder(client, .post, "/volumes/\(id)/action", admin, ["os-extend": ["new_size": 3]]).status == 202)
            let extended = try await waitForVolume(client, id, admin, status: "available")
            #expect(extended.int("volume", "size") == 3)

            #expect(try await cinder(client, .post, "/volumes/\(id)/action", admin, ["os-set_bootable": ["bootable": true]]).status == 200)
            #expect(try await cinder(client, .get, "/volumes/\(id)", admin).string("volume", "bootable") == "true")

            #expect(try await cinder(client, .delete, "/volumes/\(id)", admin).status == 202)
            try await waitForGone(client, "/volumes/\(id)", admin)
            expectFault(try await cinder(client, .get, "/volumes/\(id)", admin), 404, "itemNotFound", containing: "Volume \(id) could not be found.")
        }
    }

    @Test func listFiltersSortsAndPages() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            var ids: [String] = []
            for index in 0..<3 {
                ids.append(try await createVolume(client, admin, ["size": index + 1, "name": "v\(index)", "metadata": ["n": "\(index % 2)"]]))
            }
            #expect(try await cinder(client, .get, "/volumes/detail?name=v1", admin).list("volumes").map { $0["id"] as? String } == [ids[1]])
            let even = try await cinder(client, .get, "/volumes/detail?metadata=%7B%22n%22%3A%220%22%7D", admin).list("volumes")
            #expect(Set(even.compactMap { $0["id"] as? String }) == [ids[0], ids[2]])
            let bySize = try await cinder(client, .get, "/volumes/detail?sort=size:asc", admin).list("volumes")
            #expect(bySize.compactMap { $0["id"] as? String } == ids)
            let first = try await cinder(client, .get, "/volumes?sort=size:asc&limit=2", admin)
            #expect(first.list("volumes").compactMap { $0["id"] as? String } == Array(ids.prefix(2)))
            let next = try #require((first.value("volumes_links") as? [[String: Any]])?.first?["href"] as? String)
            #expect(next.contains("marker=\(ids[1])") && next.contains("limit=2"))
            let second = try await cinder(client, .get, "/volumes?sort=size:asc&limit=2&marker=\(ids[1])", admin)
            #expect(second.list("volumes").compactMap { $0["id"] as? String } == [ids[2]])
            #expect(second.value("volumes_links") == nil)
            expectFault(try await cinder(client, .get, "/volumes?marker=nope", admin), 404, "itemNotFound")
        }
    }

    @Test func volumesFromSnapshotsAndVolumesAndImages() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let source = try await createVolume(client, admin, ["size": 2, "name": "source"])
            let snap = try await cinder(client, .post, "/snapshots", admin, ["snapshot": ["volume_id": source, "name": "s1"]])
            #expect(snap.status == 202, "\(snap.summary)")
            let snapshot = try #require(snap.string("snapshot", "id"))
            let shownSnapshot = try await waitForSnapshot(client, snapshot, admin, status: "available")
            #expect(shownSnapshot.int("snapshot", "size") == 2)

            let fromSnapshot = try await createVolume(client, admin, ["snapshot_id": snapshot])
            let restored = try await cinder(client, .get, "/volumes/\(fromSnapshot)", admin)
            #expect(restored.int("volume", "size") == 2 && restored.string("volume", "snapshot_id") == snapshot)
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": ["snapshot_id": snapshot, "size": 1]]), 400, "badRequest")

            let clone = try await createVolume(client, admin, ["source_volid": source, "size": 3])
            let cloned = try await cinder(client, .get, "/volumes/\(clone)", admin)
            #expect(cloned.int("volume", "size") == 3 && cloned.string("volume", "source_volid") == source)

            // A volume with snapshots cannot go.
            expectFault(try await cinder(client, .delete, "/volumes/\(source)", admin), 400, "badRequest", containing: "have snapshots")
            #expect(try await cinder(client, .delete, "/snapshots/\(snapshot)", admin).status == 202)
            try await waitForGone(client, "/snapshots/\(snapshot)", admin)
            #expect(try await cinder(client, .delete, "/volumes/\(source)", admin).status == 202)

            let image = try await client.request(.post, "/image/v2/images", token: admin, json: [
                "name": "img", "disk_format": "raw", "container_format": "bare",
            ])
            let imageId = try #require(image.value("id") as? String)
            let upload = try await client.request(
                .put, "/image/v2/images/\(imageId)/file", token: admin, json: String(repeating: "x", count: 1024),
                headers: ["Content-Type": "application/octet-stream"]
            )
            #expect(upload.status == 204, "\(upload.summary)")
            let fromImage = try await createVolume(client, admin, ["imageRef": imageId, "size": 1])
            let booted = try await cinder(client, .get, "/volumes/\(fromImage)", admin)
            #expect(booted.string("volume", "bootable") == "true")
            #expect(booted.string("volume", "volume_image_metadata", "image_id") == imageId)
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": ["imageRef": "missing", "size": 1]]), 404, "itemNotFound")
        }
    }

    @Test func aBackendFailureLeavesTheVolumeInError() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let backend = try #require(cloud.volume.backend as? FakeVolumeBackend)
            backend.failNext()
            let created = try await cinder(client, .post, "/volumes", admin, ["volume": ["size": 1]])
            let id = try #require(created.string("volume", "id"))
            try await waitForVolume(client, id, admin, status: "error")
            #expect(backend.contents.volumes.isEmpty)
            #expect(try await cinder(client, .delete, "/volumes/\(id)", admin).status == 202)
            try await waitForGone(client, "/volumes/\(id)", admin)
        }
    }

    @Test func badInputIsAFourHundredNamingTheProblem() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": ["size": 0]]), 400, "badRequest", containing: "size")
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": ["size": "big"]]), 400, "badRequest", containing: "size")
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": [:]]), 400, "badRequest", containing: "size")
            expectFault(try await cinder(client, .post, "/volumes", admin, ["nothing": [:]]), 400, "badRequest", containing: "'volume'")
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": ["size": 1, "availability_zone": "az9"]]), 400, "badRequest")
            expectFault(try await cinder(client, .post, "/volumes", admin, ["volume": ["size": 1, "volume_type": "gold"]]), 404, "itemNotFound")
            expectFault(try await cinder(client, .post, "/volumes", admin, "{not json"), 400, "badRequest")
            let id = try await createVolume(client, admin)
            expectFault(try await cinder(client, .post, "/volumes/\(id)/action", admin, ["os-frobnicate": [:]]), 400, "badRequest")
            expectFault(try await cinder(client, .post, "/volumes/\(id)/action", admin, ["os-extend": [:]]), 400, "badRequest", containing: "new_size")
        }
    }
}
