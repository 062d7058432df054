import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image update (JSON patch) and tags")
struct ImagePatchTests {
    @Test("replace name, add/replace/remove a custom property, add tags, replace min_ram")
    func patchOperations() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, name: "before")
            let created = try await client.showImage(id, token: actors.alice)
            cloud.clock.advance(seconds: 30)

            let renamed = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/name", "value": "after"]])
            #expect(renamed.status == 200, "\(renamed.summary)")
            #expect(renamed.value("name") as? String == "after")
            #expect(renamed.value("id") as? String == id)
            #expect(renamed.value("updated_at") as? String != created.value("updated_at") as? String)
            #expect(renamed.value("created_at") as? String == created.value("created_at") as? String)

            let added = try await client.patchImage(id, token: actors.alice, [["op": "add", "path": "/hw_disk_bus", "value": "virtio"]])
            #expect(added.status == 200, "\(added.summary)")
            #expect(added.value("hw_disk_bus") as? String == "virtio")

            let replaced = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/hw_disk_bus", "value": "scsi"]])
            #expect(replaced.status == 200, "\(replaced.summary)")
            #expect(replaced.value("hw_disk_bus") as? String == "scsi")
            #expect(try await client.showImage(id, token: actors.alice).value("hw_disk_bus") as? String == "scsi")

            let removed = try await client.patchImage(id, token: actors.alice, [["op": "remove", "path": "/hw_disk_bus"]])
            #expect(removed.status == 200, "\(removed.summary)")
            #expect(removed.object?.keys.contains("hw_disk_bus") == false)
            #expect(try await client.showImage(id, token: actors.alice).object?.keys.contains("hw_disk_bus") == false)

            let tagged = try await client.patchImage(id, token: actors.alice, [["op": "add", "path": "/tags", "value": ["a", "b", "a"]]])
            #expect(tagged.status == 200, "\(tagged.summary)")
            #expect(tagged.value("tags") as? [String] == ["a", "b"])

            let ram = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/min_ram", "value": 512]])
            #expect(ram.status == 200, "\(ram.summary)")
            #expect(ram.value("min_ram") as? Int == 512)

            // Several operations at once, a JSON-pointer escape among them.
            let several = try await client.patchImage(id, token: actors.alice, [
                ["op": "add", "path": "/a~1b", "value": "slash"], ["op": "replace", "path": "/min_disk", "value": 3],
            ])
            #expect(several.status == 200, "\(several.summary)")
            #expect(several.value("a/b") as? String == "slash")
            #expect(several.value("min_disk") as? Int == 3)
        }
    }

    /// The image schema types `name` as ["null", "string"]; ImageMutation handles `.null` for it, but JSONPatchOperation
    /// decodes `"value": null` with decodeIfPresent, which yields nil, and rejects the operation as having no value.
    @Test("replace /name with null clears the name (the schema allows null)")
    func nullName() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, name: "named")
            let reply = try await client.patchImage(id, token: actors.alice, #"[{"op": "replace", "path": "/name", "value": null}]"#)
            #expect(reply.status == 200, "\(reply.summary)")
            let shown = try await client.showImage(id, token: actors.alice)
            #expect(shown.value("name") is NSNull, "\(shown.summary)")
        }
    }

    @Test("tags with URL-escaped characters are stored unescaped")
    func escapedTags() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            #expect(try await client.glance(.put, "/images/\(id)/tags/two%20words", token: actors.alice).status == 204)
            let tags = try await client.showImage(id, token: actors.alice).value("tags") as? [String]
            #expect(tags == ["two words"], "stored tags: \(tags ?? [])")
            #expect(try await client.glance(.delete, "/images/\(id)/tags/two%20words", token: actors.alice).status == 204)
            #expect(try await client.showImage(id, token: actors.alice).value("tags") as? [String] == [])
        }
    }

    @Test("removing or replacing a property that is not there is a 409")
    func missingProperty() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            expectFault(try await client.patchImage(id, token: actors.alice, [["op": "remove", "path": "/os_distro"]]), 409, title: "Conflict",
                        messageContains: "os_distro")
            expectFault(try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/os_distro", "value": "x"]]), 409)
        }
    }

    @Test("read-only fields are 403s, and a failing operation leaves the earlier ones unapplied", arguments: ["/status", "/checksum", "/size", "/created_at"])
    func readOnly(path: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, name: "unchanged")
            let reply = try await client.patchImage(id, token: actors.alice, [
                ["op": "replace", "path": "/name", "value": "changed"], ["op": "replace", "path": path, "value": "active"],
            ])
            expectFault(reply, 403, title: "Forbidden", messageContains: String(path.dropFirst()))
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("name") as? String == "unchanged")
            #expect(image.value("status") as? String == "queued")
        }
    }

    @Test("a PATCH that is not application/openstack-images-v2.1-json-patch is a 415", arguments: ["application/json", "application/json-patch+json", "text/plain"])
    func wrongMediaType(contentType: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, name: "unchanged")
            let reply = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/name", "value": "x"]], contentType: contentType)
            expectFault(reply, 415, title: "Unsupported Media Type")
            #expect(try await client.showImage(id, token: actors.alice).value("name") as? String == "unchanged")
        }
    }

    @Test("the v2.0 json-patch media type is accepted too")
    func olderMediaType() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let reply = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/name", "value": "x"]],
                                                    contentType: "application/openstack-images-v2.0-json-patch")
            #expect(reply.status == 200, "\(reply.summary)")
        }
    }

    @Test(
        "malformed patch documents are 400s",
        arguments: [
            #"{"op": "replace", "path": "/name", "value": "x"}"#,
            #"[{"path": "/name", "value": "x"}]"#,
            #"[{"op": "move", "from": "/name", "path": "/other"}]"#,
            #"[{"op": "replace", "path": "name", "value": "x"}]"#,
            #"[{"op": "replace", "path": "/", "value": "x"}]"#,
            #"[{"op": "replace", "path": "/name/first", "value": "x"}]"#,
            #"[{"op": "add", "path": "/os_distro"}]"#,
            #"[{"op": "replace", "path": "/name", "value": "x"}"#,
            #"[{"op": "replace", "value": "x"}]"#,
            #"[{"op": "add", "path": "/min_ram", "value": "lots"}]"#,
            #"[{"op": "add", "path": "/os_distro", "value": 12}]"#,
            #"[{"op": "replace", "path": "/visibility", "value": "everyone"}]"#,
            #"[{"op": "replace", "path": "/protected", "value": "yes"}]"#,
            "",
        ]
    )
    func malformed(document: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, name: "unchanged")
            let reply = try await client.patchImage(id, token: actors.alice, document)
            expectFault(reply, 400, title: "Bad Request")
            #expect(try await client.showImage(id, token: actors.alice).value("name") as? String == "unchanged")
        }
    }

    @Test("disk_format and container_format change while queued, not once active (403)")
    func formatsAfterUpload() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let queued = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/disk_format", "value": "raw"]])
            #expect(queued.status == 200, "\(queued.summary)")
            #expect(queued.value("disk_format") as? String == "raw")
            #expect(try await client.upload(id, payload(64), token: actors.alice).status == 204)
            expectFault(try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/disk_format", "value": "qcow2"]]), 403)
            expectFault(try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/container_format", "value": "ovf"]]), 403)
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("disk_format") as? String == "raw")
            #expect(image.value("container_format") as? String == "bare")
        }
    }

    @Test("only the admin makes an image public")
    func publicize() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let byOwner = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/visibility", "value": "public"]])
            expectFault(byOwner, 403, title: "Forbidden", messageContains: "public")
            #expect(try await client.showImage(id, token: actors.alice).value("visibility") as? String == "shared")
            let byAdmin = try await client.patchImage(id, token: actors.admin, [["op": "replace", "path": "/visibility", "value": "public"]])
            #expect(byAdmin.status == 200, "\(byAdmin.summary)")
            #expect(byAdmin.value("visibility") as? String == "public")
            #expect(try await client.showImage(id, token: actors.demo).status == 200)
            // The owner may still make it private again (only publicizing needs the admin).
            let back = try await client.patchImage(id, token: actors.alice, [["op": "replace", "path": "/visibility", "value": "private"]])
            #expect(back.status == 200, "\(back.summary)")
            expectFault(try await client.showImage(id, token: actors.demo), 404)
        }
    }

    @Test("PUT and DELETE /v2/images/{id}/tags/{tag} answer 204; deleting a missing tag is a 404")
    func tags() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, ["tags": ["first"]])
            let put = try await client.glance(.put, "/images/\(id)/tags/second", token: actors.alice)
            #expect(put.status == 204, "\(put.summary)")
            #expect(put.bytes.isEmpty)
            #expect(try await client.glance(.put, "/images/\(id)/tags/second", token: actors.alice).status == 204)
            #expect(try await client.showImage(id, token: actors.alice).value("tags") as? [String] == ["first", "second"])

            let delete = try await client.glance(.delete, "/images/\(id)/tags/first", token: actors.alice)
            #expect(delete.status == 204, "\(delete.summary)")
            #expect(try await client.showImage(id, token: actors.alice).value("tags") as? [String] == ["second"])

            expectFault(try await client.glance(.delete, "/images/\(id)/tags/first", token: actors.alice), 404, title: "Not Found")
            expectFault(try await client.glance(.delete, "/images/\(id)/tags/never", token: actors.alice), 404)
            #expect(try await client.showImage(id, token: actors.alice).value("tags") as? [String] == ["second"])

            // Another project can neither see the image's tags change nor change them.
            expectFault(try await client.glance(.put, "/images/\(id)/tags/intruder", token: actors.demo), 404)
            expectFault(try await client.glance(.put, "/images/00000000-0000-4000-8000-000000000000/tags/x", token: actors.alice), 404)
        }
    }
}
