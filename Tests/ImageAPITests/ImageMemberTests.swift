import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image members")
struct ImageMemberTests {
    @Test("share, see, accept, list, unshare: the whole life of a membership")
    func membershipLifecycle() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, name: "shared-one")
            let memberPath = "/images/\(id)/members/\(actors.demoProject)"

            // Before sharing, demo does not see it.
            expectFault(try await client.showImage(id, token: actors.demo), 404)

            let add = try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": actors.demoProject])
            #expect(add.status == 200, "\(add.summary)")
            #expect(add.value("member_id") as? String == actors.demoProject)
            #expect(add.value("image_id") as? String == id)
            #expect(add.value("status") as? String == "pending")
            #expect(add.value("schema") as? String == "/v2/schemas/member")
            #expect((add.value("created_at") as? String)?.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil)

            // Pending: visible by id, not in demo's default list.
            #expect(try await client.showImage(id, token: actors.demo).status == 200)
            #expect(!(try await client.listImageIDs(token: actors.demo).contains(id)))
            let pending = try await client.glance(.get, memberPath, token: actors.demo)
            #expect(pending.status == 200, "\(pending.summary)")
            #expect(pending.value("status") as? String == "pending")

            // Only the member decides.
            let byOwner = try await client.glance(.put, memberPath, token: actors.alice, json: ["status": "accepted"])
            expectFault(byOwner, 403, title: "Forbidden")
            #expect(try await client.glance(.get, memberPath, token: actors.alice).value("status") as? String == "pending")

            expectFault(try await client.glance(.put, memberPath, token: actors.demo, json: ["status": "maybe"]), 400, title: "Bad Request",
                        messageContains: "status")
            expectFault(try await client.glance(.put, memberPath, token: actors.demo, json: ["state": "accepted"]), 400)

            cloud.clock.advance(seconds: 60)
            let accept = try await client.glance(.put, memberPath, token: actors.demo, json: ["status": "accepted"])
            #expect(accept.status == 200, "\(accept.summary)")
            #expect(accept.value("status") as? String == "accepted")
            #expect(accept.value("updated_at") as? String != accept.value("created_at") as? String)
            #expect(try await client.listImageIDs(token: actors.demo).contains(id))
            #expect(try await client.glance(.get, memberPath, token: actors.alice).value("status") as? String == "accepted")

            // The member still cannot change the image.
            expectFault(try await client.patchImage(id, token: actors.demo, [["op": "replace", "path": "/name", "value": "mine"]]), 403)
            expectFault(try await client.glance(.delete, "/images/\(id)", token: actors.demo), 403)

            // Rejecting takes it out of the default list again, the image stays visible by id.
            let reject = try await client.glance(.put, memberPath, token: actors.demo, json: ["status": "rejected"])
            #expect(reject.status == 200, "\(reject.summary)")
            #expect(!(try await client.listImageIDs(token: actors.demo).contains(id)))
            #expect(try await client.showImage(id, token: actors.demo).status == 200)

            let remove = try await client.glance(.delete, memberPath, token: actors.alice)
            #expect(remove.status == 204, "\(remove.summary)")
            expectFault(try await client.showImage(id, token: actors.demo), 404, title: "Not Found")
            expectFault(try await client.glance(.get, memberPath, token: actors.alice), 404)
            #expect(try await client.glance(.get, "/images/\(id)/members", token: actors.alice).list("members").isEmpty)
        }
    }

    @Test("a duplicate member is a 409")
    func duplicateMember() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            #expect(try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": actors.demoProject]).status == 200)
            let again = try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": actors.demoProject])
            expectFault(again, 409, title: "Conflict")
            #expect(try await client.glance(.get, "/images/\(id)/members", token: actors.alice).list("members").count == 1)
        }
    }

    @Test("members on a private (or public, community) image are a 403", arguments: ["private", "community"])
    func nonSharedImage(visibility: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, ["visibility": visibility])
            let reply = try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": actors.demoProject])
            expectFault(reply, 403, title: "Forbidden")
            #expect(try await client.glance(.get, "/images/\(id)/members", token: actors.alice).list("members").isEmpty)
        }
    }

    @Test("a member lists only its own membership; the owner lists all")
    func memberListing() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let third = try await client.createUser("carol", password: "carol-password", project: "gamma", adminToken: actors.admin)
            let id = try await client.createImage(token: actors.alice)
            for project in [actors.demoProject, third.projectId] {
                #expect(try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": project]).status == 200)
            }
            let owner = try await client.glance(.get, "/images/\(id)/members", token: actors.alice)
            #expect(owner.status == 200)
            #expect(Set(owner.list("members").compactMap { $0["member_id"] as? String }) == [actors.demoProject, third.projectId])
            #expect(owner.value("schema") as? String == "/v2/schemas/members")

            let member = try await client.glance(.get, "/images/\(id)/members", token: actors.demo)
            #expect(member.status == 200, "\(member.summary)")
            #expect(member.list("members").compactMap { $0["member_id"] as? String } == [actors.demoProject])

            // A member cannot read another member's record, nor add or remove members.
            expectFault(try await client.glance(.get, "/images/\(id)/members/\(third.projectId)", token: actors.demo), 404)
            expectFault(try await client.glance(.post, "/images/\(id)/members", token: actors.demo, json: ["member": actors.adminProject]), 403)
            expectFault(try await client.glance(.delete, "/images/\(id)/members/\(third.projectId)", token: actors.demo), 403)
            #expect(try await client.glance(.get, "/images/\(id)/members", token: actors.alice).list("members").count == 2)

            // A project that is not a member sees neither the image nor its members.
            _ = try await client.createUser("dave", password: "dave-password", project: "delta", adminToken: actors.admin)
            let dave = try await client.token(user: "dave", password: "dave-password", project: "delta")
            expectFault(try await client.glance(.get, "/images/\(id)/members", token: dave), 404)
        }
    }

    @Test("malformed member bodies are 400s", arguments: [#"{}"#, #"{"member": ""}"#, #"{"member": 12}"#, #"["x"]"#, "{"])
    func malformedMember(body: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            expectFault(try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: body), 400, title: "Bad Request")
            #expect(try await client.glance(.get, "/images/\(id)/members", token: actors.alice).list("members").isEmpty)
        }
    }

    @Test("deleting a shared image removes its memberships")
    func deleteImageWithMembers() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            #expect(try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": actors.demoProject]).status == 200)
            let delete = try await client.glance(.delete, "/images/\(id)", token: actors.alice)
            #expect(delete.status == 204, "\(delete.summary)")
            expectFault(try await client.showImage(id, token: actors.demo), 404)
            expectFault(try await client.glance(.get, "/images/\(id)/members/\(actors.demoProject)", token: actors.admin), 404)
            #expect(try await client.listImageIDs("visibility=shared&member_status=all", token: actors.demo).isEmpty)
        }
    }
}
