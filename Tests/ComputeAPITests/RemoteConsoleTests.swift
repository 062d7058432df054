import Foundation
import HTTPTypes
import StratusCore
import StratusTesting
import Testing

@Suite("Remote consoles and console auth tokens")
struct RemoteConsoleTests {
    static func vnc(_ protocolName: String = "vnc", _ type: String = "novnc") -> [String: Any] {
        ["remote_console": ["protocol": protocolName, "type": type]]
    }

    /// The token in a console URL.
    static func token(_ url: String) -> String { url.components(separatedBy: "token%3D").last!.components(separatedBy: "token=").last! }

    @Test func aConsoleURLCarriesATokenOfThatInstanceWhichAdminsCanLookUp() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let id = try await boot(client, admin, image: try await uploadImage(client, admin), networks: "none")
            try await waitForStatus(client, admin, id, "ACTIVE")
            let reply = try await nova(client, .post, "/servers/\(id)/remote-consoles", admin, Self.vnc())
            #expect(reply.status == 200, "\(reply.summary)")
            #expect(reply.string("remote_console", "protocol") == "vnc" && reply.string("remote_console", "type") == "novnc")
            let url = try #require(reply.string("remote_console", "url"))
            #expect(url.hasPrefix("http://127.0.0.1:8780/vnc/vnc_lite.html?path=vnc%3Ftoken%3D"), "\(url)")
            let token = Self.token(url)
            let shown = try await nova(client, .get, "/os-console-auth-tokens/\(token)", admin, version: "2.31")
            #expect(shown.status == 200, "\(shown.summary)")
            #expect(shown.string("console", "instance_uuid") == id)
            #expect((shown.value("console", "port") as? Int) == 6969)
            // Before 2.31 Nova shows only RDP tokens; members may not look tokens up; unknown tokens are 404.
            expectNovaFault(try await nova(client, .get, "/os-console-auth-tokens/\(token)", admin, version: "2.30"), 400)
            let member = try await memberToken(client, admin: admin, user: "demo", project: "admin")
            expectNovaFault(try await nova(client, .get, "/os-console-auth-tokens/\(token)", member, version: "2.31"), 403)
            expectNovaFault(try await nova(client, .get, "/os-console-auth-tokens/nope", admin, version: "2.31"), 404, "invalid or has expired")

            let serial = try await nova(client, .post, "/servers/\(id)/remote-consoles", admin, Self.vnc("serial", "serial"))
            #expect(serial.string("remote_console", "url")?.hasPrefix("ws://127.0.0.1:8780/serial?token=") == true, "\(serial.summary)")
            // The legacy actions, before 2.6 only.
            let legacy = try await nova(client, .post, "/servers/\(id)/action", admin, ["os-getVNCConsole": ["type": "novnc"]], version: "2.5")
            #expect(legacy.status == 200 && legacy.string("console", "type") == "novnc", "\(legacy.summary)")
            #expect(legacy.string("console", "url")?.contains("token%3D") == true)
            let legacySerial = try await nova(client, .post, "/servers/\(id)/action", admin, ["os-getSerialConsole": ["type": "serial"]], version: "2.1")
            #expect(legacySerial.string("console", "url")?.hasPrefix("ws://") == true, "\(legacySerial.summary)")
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", admin, ["os-getVNCConsole": ["type": "novnc"]], version: "2.6"), 400)
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/remote-consoles", admin, Self.vnc(), version: "2.5"), 404)
        }
    }

    @Test func badRequestsWrongStatesAndOtherProjectsAreRefused() async throws {
        try await TestCloud.with { _, client in
            let admin = try await client.token()
            let id = try await boot(client, admin, image: try await uploadImage(client, admin), networks: "none")
            try await waitForStatus(client, admin, id, "ACTIVE")
            let path = "/servers/\(id)/remote-consoles"
            expectNovaFault(try await nova(client, .post, path, admin, Self.vnc("telnet", "novnc")), 400, "protocol")
            expectNovaFault(try await nova(client, .post, path, admin, Self.vnc("vnc", "serial")), 400, "not valid for protocol vnc")
            expectNovaFault(try await nova(client, .post, path, admin, Self.vnc("spice", "spice-html5")), 400, "Unavailable console type spice-html5")
            expectNovaFault(try await nova(client, .post, path, admin, ["remote_console": ["protocol": "vnc"]]), 400, "'type' is a required property")
            expectNovaFault(try await nova(client, .post, path, admin, ["remote_console": ["protocol": "vnc", "type": "novnc", "x": 1]]), 400)
            expectNovaFault(try await nova(client, .post, path, admin, ["console": [:]]), 400)
            let demo = try await memberToken(client, admin: admin, user: "demo", project: "demo")
            expectNovaFault(try await nova(client, .post, path, demo, Self.vnc()), 404)
            let reader = try await memberToken(client, admin: admin, user: "viewer", project: "admin", role: "reader")
            expectNovaFault(try await nova(client, .post, path, reader, Self.vnc()), 403)

            // A stopped guest has no console, and its tokens are gone.
            let token = Self.token(try #require(try await nova(client, .post, path, admin, Self.vnc()).string("remote_console", "url")))
            #expect(try await nova(client, .post, "/servers/\(id)/action", admin, ["os-stop": NSNull()]).status == 202)
            try await waitForStatus(client, admin, id, "SHUTOFF")
            expectNovaFault(try await nova(client, .post, path, admin, Self.vnc()), 409, "is not ready")
            expectNovaFault(try await nova(client, .get, "/os-console-auth-tokens/\(token)", admin, version: "2.31"), 404)
        }
    }

    @Test func noVNCPagesSayWhenTheirLinkCannotBeUsed() async throws {
        try await TestCloud.with { cloud, client in
            let admin = try await client.token()
            let id = try await boot(client, admin, image: try await uploadImage(client, admin), networks: "none")
            try await waitForStatus(client, admin, id, "ACTIVE")
            let url = try #require(try await nova(client, .post, "/servers/\(id)/remote-consoles", admin, Self.vnc()).string("remote_console", "url"))
            let page = String(url.dropFirst("http://127.0.0.1:8780".count))
            let good = try await client.request(.get, page)
            #expect(good.status == 200 && good.body.contains("<title>noVNC</title>"), "\(good.status) \(good.body.prefix(200))")
            cloud.clock.advance(seconds: 601)
            let expired = try await client.request(.get, page)
            #expect(expired.status == 404 && expired.body.contains("Console link expired"), "\(expired.status) \(expired.body.prefix(200))")
            let plain = try await client.request(.get, "/vnc")
            #expect(plain.status == 400 && plain.body.contains("WebSocket endpoint"))
        }
    }

    @Test func aHostThatIsDownIsNotAskedAndTheCallerIsToldAtOnce() async throws {
        // One heartbeat at start, the next in an hour: once the clock passes the service down time, the host is down.
        try await TestCloud.with(compute: ComputeSettings(reportInterval: 3600)) { cloud, client in
            let admin = try await client.token()
            let id = try await boot(client, admin, image: try await uploadImage(client, admin), networks: "none")
            try await waitForStatus(client, admin, id, "ACTIVE")
            cloud.clock.advance(seconds: 120)
            let started = ContinuousClock.now
            let console = try await nova(client, .post, "/servers/\(id)/remote-consoles", admin, Self.vnc())
            #expect(console.status == 503 && console.body.contains("is unavailable at this time"), "\(console.summary)")
            let output = try await nova(client, .post, "/servers/\(id)/action", admin, ["os-getConsoleOutput": [:]])
            #expect(output.status == 503, "\(output.summary)")
            #expect(ContinuousClock.now - started < .seconds(10), "the API waited for a host that is down")
        }
    }
}
