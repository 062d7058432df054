import Foundation
import HTTPTypes
import StratusTesting
import Testing
import StratusApp
import StratusCore
import Virt

@Suite("Servers: boot, actions, delete")
struct ServerLifecycleTests {
    @Test func bootReachesActiveWithAnAddressAndNovasFields() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let created = try await nova(client, .post, "/servers", token, ["server": [
                "name": "web-1", "imageRef": image, "flavorRef": "1", "networks": "auto", "metadata": ["role": "web"],
            ]])
            #expect(created.status == 202, "\(created.summary)")
            #expect(created.header("Location")?.hasSuffix("/compute/v2.1/servers/\(created.string("server", "id") ?? "")") == true)
            #expect(created.string("server", "OS-DCF:diskConfig") == "MANUAL")
            #expect(!(created.string("server", "adminPass") ?? "").isEmpty)
            let id = try #require(created.string("server", "id"))

            let shown = try await waitForStatus(client, token, id, "ACTIVE")
            let server = try #require(shown.value("server") as? [String: Any])
            #expect(server["OS-EXT-STS:vm_state"] as? String == "active")
            #expect(server["OS-EXT-STS:task_state"] is NSNull)
            #expect(server["OS-EXT-STS:power_state"] as? Int == 1)
            #expect(server["OS-EXT-SRV-ATTR:host"] as? String == "fake-0")
            #expect((server["flavor"] as? [String: Any])?["original_name"] as? String == "m1.tiny")
            #expect((server["image"] as? [String: Any])?["id"] as? String == image)
            #expect(server["metadata"] as? [String: String] == ["role": "web"])
            #expect(server["locked"] as? Bool == false)
            #expect(server["pinned_availability_zone"] is NSNull)
            #expect(server["OS-EXT-SRV-ATTR:hostname"] as? String == "web-1")
            let addresses = try #require(server["addresses"] as? [String: [[String: Any]]])
            let address = try #require(addresses["auto_allocated_network"]?.first)
            #expect(address["addr"] as? String == "10.0.0.2")
            #expect(address["version"] as? Int == 4)
            #expect((address["OS-EXT-IPS-MAC:mac_addr"] as? String)?.hasPrefix("fa:16:3e") == true)
            // The port is the network service's, bound to the host.
            let ports = try await client.request(.get, "/networking/v2.0/ports?device_id=\(id)", token: token).list("ports")
            #expect(ports.count == 1)
            #expect(ports.first?["binding:host_id"] as? String == "fake-0")
            #expect(ports.first?["status"] as? String == "ACTIVE")
            // The older microversion shows the flavor as a link.
            #expect(try await nova(client, .get, "/servers/\(id)", token, version: "2.46").string("server", "flavor", "id") == "1")
        }
    }

    @Test func powerActionsFollowNovasStateMachine() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            await cloud.compute.drivers["fake-0"]!.setDelay(.spawn, .milliseconds(300))
            let id = try await boot(client, token, image: try await uploadImage(client, token), networks: "none")
            // The build's event has started once the guest is spawning; ten seconds pass before it finishes.
            let deadline = ContinuousClock.now + .seconds(20)
            while try await nova(client, .get, "/servers/\(id)", token).string("server", "OS-EXT-STS:task_state") != "spawning" {
                try #require(ContinuousClock.now < deadline, "the server never started spawning")
                try await Task.sleep(for: .milliseconds(5))
            }
            cloud.clock.advance(seconds: 10)
            try await waitForStatus(client, token, id, "ACTIVE")
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["os-start": NSNull()]), 409, "vm_state active")
            for (action, status) in [("os-stop", "SHUTOFF"), ("os-start", "ACTIVE"), ("pause", "PAUSED"), ("unpause", "ACTIVE"),
                                     ("suspend", "SUSPENDED"), ("resume", "ACTIVE")] {
                let reply = try await nova(client, .post, "/servers/\(id)/action", token, [action: NSNull()])
                #expect(reply.status == 202, "\(action): \(reply.summary)")
                let shown = try await waitForStatus(client, token, id, status)
                #expect(shown.value("server", "OS-EXT-STS:task_state") is NSNull)
            }
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["reboot": ["type": "HARD"]]).status == 202)
            try await waitForStatus(client, token, id, "ACTIVE")
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["reboot": ["type": "GENTLY"]]), 400)
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", token, ["fly": NSNull()]), 400, "no such action")

            let lock = try await nova(client, .post, "/servers/\(id)/action", token, ["lock": ["locked_reason": "maintenance"]])
            #expect(lock.status == 202)
            #expect(try await nova(client, .get, "/servers/\(id)", token).string("server", "locked_reason") == "maintenance")
            let demo = try await memberToken(client, admin: token, user: "demo", project: "admin")
            expectNovaFault(try await nova(client, .post, "/servers/\(id)/action", demo, ["os-stop": NSNull()]), 409, "locked")
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["unlock": NSNull()]).status == 202)

            let console = try await nova(client, .post, "/servers/\(id)/action", token, ["os-getConsoleOutput": ["length": 2]])
            #expect(console.string("output")?.split(separator: "\n").count == 2)
            let actions = try await nova(client, .get, "/servers/\(id)/os-instance-actions", token).list("instanceActions")
            #expect(Set(actions.compactMap { $0["action"] as? String }).isSuperset(of: ["create", "stop", "start", "pause", "reboot"]))
            let create = try #require(actions.first { $0["action"] as? String == "create" }?["request_id"] as? String)
            let events = try await nova(client, .get, "/servers/\(id)/os-instance-actions/\(create)", token).value("instanceAction", "events") as? [[String: Any]]
            let build = try #require(events?.first { $0["event"] as? String == "compute_build_and_run_instance" })
            #expect(build["result"] as? String == "Success")
            // The finish kept the event's start.
            let started = try #require((build["start_time"] as? String).flatMap(Timestamp.init(iso8601:)))
            let finished = try #require((build["finish_time"] as? String).flatMap(Timestamp.init(iso8601:)))
            #expect(finished.rawValue - started.rawValue == 10_000_000, "\(build)")
        }
    }

    /// A host whose driver cannot suspend (the QEMU driver before it could, a driver saying so in its capabilities)
    /// fails the action: the server stays ACTIVE and running, its task state cleared, the event an error.
    @Test func aSuspendTheHostCannotDoLeavesTheServerActive() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token), networks: "none")
            try await waitForStatus(client, token, id, "ACTIVE")
            await cloud.compute.drivers["fake-0"]!.injectFailure(.suspend, message: DriverError.unsupported("suspend").description)
            #expect(try await nova(client, .post, "/servers/\(id)/action", token, ["suspend": NSNull()]).status == 202)
            let deadline = ContinuousClock.now + .seconds(20)
            var shown = try await nova(client, .get, "/servers/\(id)", token)
            while !(shown.value("server", "OS-EXT-STS:task_state") is NSNull) {
                try #require(ContinuousClock.now < deadline, "the suspend never finished: \(shown.summary)")
                try await Task.sleep(for: .milliseconds(5))
                shown = try await nova(client, .get, "/servers/\(id)", token)
            }
            #expect(shown.string("server", "status") == "ACTIVE", "\(shown.summary)")
            #expect(shown.value("server", "OS-EXT-STS:power_state") as? Int == 1, "\(shown.summary)")
            let actions = try await nova(client, .get, "/servers/\(id)/os-instance-actions", token).list("instanceActions")
            let suspend = try #require(actions.first { $0["action"] as? String == "suspend" }?["request_id"] as? String)
            // The event is recorded apart from the state change: poll for its result too.
            while true {
                let events = try await nova(client, .get, "/servers/\(id)/os-instance-actions/\(suspend)", token, version: "2.51")
                    .value("instanceAction", "events") as? [[String: Any]]
                if let result = events?.first?["result"] as? String {
                    #expect(result == "Error", "\(String(describing: events))")
                    break
                }
                try #require(ContinuousClock.now < deadline, "the suspend's event never finished: \(String(describing: events))")
                try await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    @Test func deleteRemovesTheServerItsPortAndItsClaim() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let id = try await boot(client, token, image: try await uploadImage(client, token))
            try await waitForStatus(client, token, id, "ACTIVE")
            let before = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.87").list("hypervisors").first
            #expect(before?["vcpus_used"] as? Int == 1)
            #expect(try await nova(client, .delete, "/servers/\(id)", token).status == 204)
            try await waitUntilGone(client, token, id)
            #expect(try await client.request(.get, "/networking/v2.0/ports?device_id=\(id)", token: token).list("ports").isEmpty)
            let after = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.87").list("hypervisors").first
            #expect(after?["vcpus_used"] as? Int == 0)
            #expect(await cloud.compute.drivers["fake-0"]!.guests().isEmpty)
            expectNovaFault(try await nova(client, .delete, "/servers/\(id)", token), 404)
        }
    }

    @Test func aFailedBuildIsRescheduledToAnotherHost() async throws {
        try await TestCloud.with(computeHosts: 2) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            // Whichever host is chosen first fails; the conductor moves the build to the other.
            let first = try await boot(client, token, image: image, networks: "none")
            let firstHost = try #require(try await waitForStatus(client, token, first, "ACTIVE").string("server", "OS-EXT-SRV-ATTR:host"))
            await cloud.compute.drivers[firstHost]!.injectFailure(.spawn, message: "the disk caught fire")
            let second = try await boot(client, token, image: image, networks: "none")
            let shown = try await waitForStatus(client, token, second, "ACTIVE")
            let secondHost = try #require(shown.string("server", "OS-EXT-SRV-ATTR:host"))
            // The weighers may pick either host for the second boot; if it was the failing one, it was moved.
            if secondHost != firstHost {
                #expect(await cloud.compute.drivers[secondHost]!.guests().contains(InstanceID(second)))
            }
            // With every host failing, the build ends in ERROR with Nova's NoValidHost fault.
            for host in cloud.compute.hosts { await cloud.compute.drivers[host]!.injectFailure(.spawn, message: "the disk caught fire") }
            let third = try await boot(client, token, image: image, networks: "none")
            let failed = try await waitForStatus(client, token, third, "ERROR")
            #expect(failed.string("server", "fault", "message")?.contains("No valid host was found") == true)
            #expect(failed.string("server", "fault", "message")?.contains("the disk caught fire") == true)
        }
    }

    @Test func aFlavorNoHostCanFitEndsInErrorNamingTheReason() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let huge = try await nova(client, .post, "/flavors", token, ["flavor": ["name": "huge", "ram": 512, "vcpus": 1, "disk": 100_000]])
            let flavor = try #require(huge.string("flavor", "id"))
            let id = try await boot(client, token, image: try await uploadImage(client, token), flavor: flavor, networks: "none")
            let failed = try await waitForStatus(client, token, id, "ERROR")
            let message = try #require(failed.string("server", "fault", "message"))
            #expect(message.hasPrefix("No valid host was found."))
            #expect(message.contains("1"), "the message should say how many hosts were removed: \(message)")
        }
    }

    @Test func anImageForAnotherArchitectureFindsNoHost() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let patched = try await client.request(
                .patch, "/image/v2/images/\(image)", token: token, json: [["op": "add", "path": "/hw_architecture", "value": "aarch64"]],
                headers: ["Content-Type": "application/openstack-images-v2.1-json-patch"]
            )
            try #require(patched.status == 200, "\(patched.summary)")
            let id = try await boot(client, token, image: image, networks: "none")
            let failed = try await waitForStatus(client, token, id, "ERROR")
            let message = try #require(failed.string("server", "fault", "message"))
            #expect(message.contains("ImagePropertiesFilter"), "\(message)")
        }
    }

    @Test func anAdminCanAskForAHost() async throws {
        try await TestCloud.with(computeHosts: 3) { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let legacy = try await boot(client, token, image: image, networks: "none", extra: ["availability_zone": "nova:fake-2"])
            #expect(try await waitForStatus(client, token, legacy, "ACTIVE").string("server", "OS-EXT-SRV-ATTR:host") == "fake-2")
            let named = try await boot(client, token, image: image, networks: "none", extra: ["host": "fake-1"])
            let shown = try await waitForStatus(client, token, named, "ACTIVE")
            #expect(shown.string("server", "OS-EXT-SRV-ATTR:host") == "fake-1")
            #expect(shown.string("server", "OS-EXT-AZ:availability_zone") == "nova")

            let body = { (extra: [String: Any]) in ["server": ["name": "x", "imageRef": image, "flavorRef": "1", "networks": "none"].merging(extra) { $1 }] }
            expectNovaFault(try await nova(client, .post, "/servers", token, body(["host": "nowhere"])), 400, "nowhere")
            expectNovaFault(try await nova(client, .post, "/servers", token, body(["host": "fake-1", "hypervisor_hostname": "fake-2"])), 400)
            expectNovaFault(try await nova(client, .post, "/servers", token, body(["host": "fake-1"]), version: "2.73"), 400, "host")
            let member = try await memberToken(client, admin: token, user: "picky", project: "picky")
            let memberImage = try await uploadImage(client, member)
            let refused = try await nova(client, .post, "/servers", member, ["server": [
                "name": "x", "imageRef": memberImage, "flavorRef": "1", "networks": "none", "availability_zone": ":fake-0",
            ]])
            expectNovaFault(refused, 403)
        }
    }

    @Test func multiCreateBootsEveryInstance() async throws {
        try await TestCloud.with(computeHosts: 3) { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let reply = try await nova(client, .post, "/servers", token, ["server": [
                "name": "batch", "imageRef": image, "flavorRef": "1", "networks": "none", "min_count": 3, "max_count": 3,
            ]])
            #expect(reply.status == 202)
            let listed = try await nova(client, .get, "/servers?name=batch", token).list("servers")
            #expect(Set(listed.compactMap { $0["name"] as? String }) == ["batch-1", "batch-2", "batch-3"])
            for server in listed { try await waitForStatus(client, token, try #require(server["id"] as? String), "ACTIVE") }
        }
    }

    @Test func bootSecurityGroupsGoOnTheServersPorts() async throws {
        try await TestCloud.with { _, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let created = try await client.request(.post, "/networking/v2.0/security-groups", token: token, json: ["security_group": ["name": "web"]])
            let web = try #require(created.string("security_group", "id"), "\(created.summary)")
            expectNovaFault(
                try await nova(client, .post, "/servers", token, ["server": [
                    "name": "x", "imageRef": image, "flavorRef": "1", "networks": "auto", "security_groups": [["name": "nope"]],
                ]]), 400, "Security group nope not found"
            )
            let id = try await boot(client, token, image: image, extra: ["security_groups": [["name": "web"]]])
            let shown = try await waitForStatus(client, token, id, "ACTIVE")
            #expect((shown.value("server", "security_groups") as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["web"])
            let ports = try await client.request(.get, "/networking/v2.0/ports?device_id=\(id)", token: token).list("ports")
            #expect(ports.count == 1)
            #expect(ports.first?["security_groups"] as? [String] == [web])
        }
    }
}
