import Foundation
import GuestMetadata
import MetadataAPI
import StratusCore
import StratusTesting
import Testing

/// The per-guest metadata proxy that QEMU's guestfwd runs: a guest's raw HTTP request in, the metadata API's answer
/// for that guest out, over a real HTTP connection to the API.
@Suite struct MetadataRelayTests {
    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func theGuestGetsItsOwnDocumentsAndCannotNameAnother() async throws {
        try await TestCloud.with(live: true) { cloud, client in
            let token = try await client.token()
            let id = try await client.activeServer(token, name: "relayed", extra: [:])
            let other = try await client.activeServer(token, name: "other", extra: [:])
            let port = try #require(client.port)
            let relay = MetadataRelay(instance: InstanceID(id), endpoint: "http://127.0.0.1:\(port)/metadata", signer: cloud.metadataSigner)

            let head = "GET /openstack/latest/meta_data.json HTTP/1.1\r\nHost: 169.254.169.254\r\nX-Instance-ID: \(other)\r\n\r\n"
            #expect(MetadataRelay.isComplete(Array(head.utf8)))
            #expect(!MetadataRelay.isComplete(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8)))
            let answer = text(await relay.respond(toHead: Array(head.utf8)))
            #expect(answer.hasPrefix("HTTP/1.0 200 OK\r\n"), "\(answer)")
            #expect(answer.contains("Content-Type: application/json\r\n"), "\(answer)")
            let body = try #require(answer.components(separatedBy: "\r\n\r\n").last)
            let document = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
            #expect(document["uuid"] as? String == id, "the guest's own forged X-Instance-ID must not count: \(body)")
            #expect(document["name"] as? String == "relayed")

            let ec2 = text(await relay.respond(toHead: Array("GET /latest/meta-data/instance-id HTTP/1.0\n\n".utf8)))
            #expect(ec2.hasPrefix("HTTP/1.0 200 OK\r\n") && ec2.hasSuffix("\r\n\r\ni-" + ec2.split(separator: "-").last!), "\(ec2)")
            let headOnly = text(await relay.respond(toHead: Array("HEAD /openstack/latest/meta_data.json HTTP/1.1\r\n\r\n".utf8)))
            #expect(headOnly.hasPrefix("HTTP/1.0 200 OK\r\n") && headOnly.hasSuffix("\r\n\r\n"), "\(headOnly)")
            let missing = text(await relay.respond(toHead: Array("GET /openstack/latest/nothing HTTP/1.1\r\n\r\n".utf8)))
            #expect(missing.hasPrefix("HTTP/1.0 404 Not Found\r\n"), "\(missing)")
        }
    }

    @Test(arguments: [
        ("POST /openstack/latest/password HTTP/1.1\r\n\r\n", "405 Method Not Allowed"),
        ("GET http://10.0.0.1/ HTTP/1.1\r\n\r\n", "400 Bad Request"),
        ("GET /openstack/../../admin HTTP/1.1\r\n\r\n", "400 Bad Request"),
        ("GET /a b HTTP/1.1\r\n\r\n", "400 Bad Request"),
        ("\u{1}\u{2}garbage\r\n\r\n", "400 Bad Request"),
        ("", "400 Bad Request"),
    ])
    func badRequestsAreRefusedWithoutAskingTheAPI(head: String, status: String) async throws {
        // Nothing listens on port 9 of loopback: had the relay asked, the answer would be 502.
        let relay = MetadataRelay(instance: InstanceID(UUID().uuidString.lowercased()), endpoint: "http://127.0.0.1:9/metadata", signer: .ephemeral())
        let answer = text(await relay.respond(toHead: Array(head.utf8)))
        #expect(answer.hasPrefix("HTTP/1.0 \(status)\r\n"), "\(answer)")
    }

    @Test func anUnreachableAPIIsABadGateway() async throws {
        let relay = MetadataRelay(instance: InstanceID(UUID().uuidString.lowercased()), endpoint: "http://127.0.0.1:9/metadata", signer: .ephemeral())
        let answer = text(await relay.respond(toHead: Array("GET /openstack HTTP/1.1\r\n\r\n".utf8)))
        #expect(answer.hasPrefix("HTTP/1.0 502 Bad Gateway\r\n"), "\(answer)")
    }
}
