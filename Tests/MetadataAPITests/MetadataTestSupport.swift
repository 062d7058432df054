import Foundation
import HTTPTypes
import StratusCore
import StratusTesting
import Testing

let sshKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHmg6uQKmsIyZMW1X2F7ZS8m2SScJ8YvR9bwu7PRNBXf test@stratus"

extension TestClient {
    /// `/compute/v2.1` + `path` as `token`.
    func nova(_ method: HTTPRequest.Method, _ path: String, _ token: String, _ json: Any? = nil) async throws -> Reply {
        try await request(method, "/compute/v2.1" + path, token: token, json: json, headers: ["OpenStack-API-Version": "compute 2.96"])
    }

    /// A server booted from a fresh image with `extra` in its request, once ACTIVE (polled with a deadline); its id.
    func activeServer(_ token: String, name: String, extra: [String: Any]) async throws -> String {
        let image = try await request(
            .post, "/image/v2/images", token: token, json: ["name": "tiny", "disk_format": "raw", "container_format": "bare"]
        )
        let imageId = try #require(image.value("id") as? String, "\(image.status) \(image.body)")
        let upload = try await request(.put, "/image/v2/images/\(imageId)/file", token: token, json: String(repeating: "x", count: 4096),
                                       headers: ["Content-Type": "application/octet-stream"])
        try #require(upload.status == 204, "\(upload.status) \(upload.body)")
        var server: [String: Any] = ["name": name, "imageRef": imageId, "flavorRef": "1", "networks": "auto"]
        server.merge(extra) { $1 }
        let created = try await nova(.post, "/servers", token, ["server": server])
        let id = try #require((created.value("server") as? [String: Any])?["id"] as? String, "\(created.status) \(created.body)")
        try await waitFor(token, id) { $0.status == 200 && ($0.value("server") as? [String: Any])?["status"] as? String == "ACTIVE" }
        return id
    }

    /// Polls GET /servers/`id` until `done` holds, failing after a deadline.
    func waitFor(_ token: String, _ id: String, seconds: Double = 20, _ done: (Reply) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while true {
            let reply = try await nova(.get, "/servers/\(id)", token)
            if done(reply) { return }
            try #require(ContinuousClock.now < deadline, "server \(id) did not reach the state in \(seconds) s: \(reply.status) \(reply.body)")
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// GET /metadata/`path` as the metadata proxy sends it for `instance`, signed with `signature`.
    func metadata(_ path: String, instance: String, signature: String) async throws -> Reply {
        try await request(.get, "/metadata/" + path, headers: ["X-Instance-ID": instance, "X-Instance-ID-Signature": signature])
    }
}
