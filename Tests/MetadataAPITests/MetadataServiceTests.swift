import Foundation
import GuestMetadata
import HTTPTypes
import StratusCore
import StratusTesting
import Testing

@Suite struct MetadataServiceTests {
    static let userData = "#!/bin/sh\necho hello from user data\n"

    @Test func aSignedRequestSeesItsOwnDocuments() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let key = try await client.nova(.post, "/os-keypairs", token, ["keypair": ["name": "mykey", "public_key": sshKey]])
            try #require(key.status == 201, "\(key.status) \(key.body)")
            let id = try await client.activeServer(token, name: "web", extra: [
                "key_name": "mykey", "metadata": ["role": "web"], "user_data": Data(Self.userData.utf8).base64EncodedString(),
            ])
            let signature = cloud.metadataSigner.signature(for: InstanceID(id))
            func get(_ path: String) async throws -> TestClient.Reply { try await client.metadata(path, instance: id, signature: signature) }

            let meta = try await get("openstack/latest/meta_data.json")
            #expect(meta.status == 200, "\(meta.status) \(meta.body)")
            #expect(meta.header("Content-Type") == "application/json")
            #expect(meta.value("uuid") as? String == id)
            #expect(meta.value("name") as? String == "web")
            #expect(meta.value("meta") as? [String: String] == ["role": "web"])
            #expect(meta.value("public_keys") as? [String: String] == ["mykey": sshKey])

            let userData = try await get("openstack/latest/user_data")
            #expect(userData.body == Self.userData)
            #expect(userData.header("Content-Type") == "text/plain")
            #expect(try await get("latest/user-data").body == Self.userData)

            let network = try await get("openstack/latest/network_data.json")
            let addresses = (network.value("networks") as? [[String: Any]])?.compactMap { $0["ip_address"] as? String } ?? []
            #expect(!addresses.isEmpty, "\(network.body)")
            #expect((network.value("networks") as? [[String: Any]])?.first?["netmask"] != nil, "\(network.body)")

            let listing = try await get("latest/meta-data/")
            #expect(listing.status == 200)
            #expect(listing.body.split(separator: "\n").contains("instance-id"))
            #expect(try await get("latest/meta-data/instance-id").body == "i-" + id.prefix(8))
            #expect(try await get("latest/meta-data/public-keys/").body == "0=mykey")
            #expect(try await get("latest/meta-data/public-keys/0/openssh-key").body == sshKey)
            #expect(try await get("latest/meta-data/local-ipv4").body == addresses.first)
            #expect(try await get("openstack").body.split(separator: "\n").last == "latest")
            #expect(try await get("openstack/latest/no_such.json").status == 404)
            #expect(try await get("latest/meta-data/no-such-key").status == 404)
        }
    }

    @Test func badSignaturesAreRefusedAndDeletedInstancesAreGone() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let first = try await client.activeServer(token, name: "one", extra: [:])
            let second = try await client.activeServer(token, name: "two", extra: [:])
            let signer = cloud.metadataSigner
            let path = "openstack/latest/meta_data.json"

            let wrong = try await client.metadata(path, instance: first, signature: String(repeating: "0", count: 64))
            #expect(wrong.status == 403)
            #expect(wrong.body.contains("Invalid proxy request signature."))
            // Another instance's id with the signature of the asker's own id: refused, never the other's data.
            let borrowed = try await client.metadata(path, instance: second, signature: signer.signature(for: InstanceID(first)))
            #expect(borrowed.status == 403)
            #expect(!borrowed.body.contains(second))
            #expect(try await client.request(.get, "/metadata/" + path, headers: ["X-Instance-ID": first]).status == 403)
            #expect(try await client.request(.get, "/metadata/" + path).status == 403)
            // A signature from another secret.
            let foreign = try await client.metadata(path, instance: first, signature: MetadataSigner.ephemeral().signature(for: InstanceID(first)))
            #expect(foreign.status == 403)
            // A correctly signed id that names no instance.
            #expect(try await client.metadata(path, instance: "no-such-instance", signature: signer.signature(for: "no-such-instance")).status == 404)

            #expect(try await client.nova(.delete, "/servers/\(first)", token).status == 204)
            try await client.waitFor(token, first) { $0.status == 404 }
            let deleted = try await client.metadata(path, instance: first, signature: signer.signature(for: InstanceID(first)))
            #expect(deleted.status == 404)
            #expect(try await client.metadata(path, instance: second, signature: signer.signature(for: InstanceID(second))).status == 200)
        }
    }
}
