import Foundation
import HTTPTypes
import StratusTesting
import Testing

@testable import ComputeAgent

/// `GET /os-hypervisors/{id}/uptime` (before 2.88): the host's `uptime` line from its compute service, in the shape
/// the openstack CLI parses.
@Suite("Hypervisor uptime")
struct HypervisorUptimeTests {
    /// The load averages, when the line has the openstack CLI's pattern (time, up, users, load average).
    static func loadAverages(_ line: String) -> String? {
        let pattern = #/\s*(.+)\sup\s+(.+),\s+(.+)\susers?,\s+load average:\s(.+)/#
        return (try? pattern.wholeMatch(in: line)).map { String($0.output.4) }
    }

    @Test func theLineIsWhatUptimePrints() throws {
        let noon = Date(timeIntervalSince1970: 86_400 * 20_000 + 12 * 3600 + 5 * 60 + 9)
        #expect(HostUptime.line(now: noon, uptimeSeconds: 8 * 86_400 + 19 * 3600 + 58 * 60 + 7, load: ["0.86", "0.63", "0.55"])
                == " 12:05:09 up 8 days, 19:58,  0 users,  load average: 0.86, 0.63, 0.55")
        #expect(HostUptime.line(now: noon, uptimeSeconds: 86_400 + 42 * 60, load: ["1.00", "0.50", "0.25"])
                == " 12:05:09 up 1 day, 42 min,  0 users,  load average: 1.00, 0.50, 0.25")
        let read = try HostUptime.read()
        #expect(Self.loadAverages(read)?.split(separator: ",").count == 3, "\(read)")
    }

    @Test func adminsGetTheLineBefore288AndNobodyAfter() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let id = try #require(try await nova(client, .get, "/os-hypervisors", token, version: "2.53").list("hypervisors").first?["id"] as? String)
            let reply = try await nova(client, .get, "/os-hypervisors/\(id)/uptime", token, version: "2.87")
            #expect(reply.status == 200, "\(reply.summary)")
            #expect(reply.string("hypervisor", "hypervisor_hostname") == "fake-0", "\(reply.summary)")
            let uptime = try #require(reply.string("hypervisor", "uptime"), "\(reply.summary)")
            #expect(Self.loadAverages(uptime) != nil, "\(uptime)")
            expectNovaFault(try await nova(client, .get, "/os-hypervisors/\(id)/uptime", token, version: "2.88"), 404)
            expectNovaFault(try await nova(client, .get, "/os-hypervisors/\(UUID().uuidString.lowercased())/uptime", token, version: "2.87"), 404)
            let demo = try await memberToken(client, admin: token, user: "demo", project: "demo")
            expectNovaFault(try await nova(client, .get, "/os-hypervisors/\(id)/uptime", demo, version: "2.87"), 403)
        }
    }
}
