import Foundation
import HTTPTypes
import StratusApp
import StratusCore
import StratusTesting
import Testing
import Virt

/// What the compute host gives its driver for a server: the ports with their subnets, and the config drive's files.
@Suite("The guest a compute host spawns")
struct GuestSpecTests {
    func spec(_ cloud: TestCloud, _ id: String) async throws -> GuestSpec {
        let driver = try #require(cloud.compute.drivers["fake-0"])
        return try #require(await driver.spec(InstanceID(id)), "the fake driver has no guest \(id)")
    }

    func text(_ spec: GuestSpec, _ path: String) throws -> String {
        String(decoding: try #require(spec.configDriveFiles?[path], "no \(path) on the config drive"), as: UTF8.self)
    }

    @Test func aConfigDriveHoldsTheServersMetadataAndItsPortsSubnets() async throws {
        try await TestCloud.with { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, name: "drive", extra: ["config_drive": true])
            let active = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(active.string("server", "config_drive") == "True", "\(active.summary)")

            let spec = try await spec(cloud, id)
            let interface = try #require(spec.interfaces.first, "no port on \(spec)")
            let address = try #require(interface.addresses.first)
            let subnet = try #require(interface.subnets.first, "the port has no subnet: \(interface)")
            #expect(subnet.cidr.contains(address) && subnet.gateway.map(subnet.cidr.contains) == true, "\(subnet)")
            #expect(try text(spec, "openstack/latest/meta_data.json").contains("\"uuid\":\"\(id)\""))
            let networkData = try text(spec, "openstack/latest/network_data.json")
            #expect(networkData.contains("\"ip_address\":\"\(address)\"") && networkData.contains("\"netmask\":\"255.255.255.0\""), "\(networkData)")

            // A rebuild writes the drive again, for the new name.
            let rebuild = try await nova(client, .post, "/servers/\(id)/action", token, ["rebuild": ["imageRef": image, "name": "renamed"]])
            #expect(rebuild.status == 202, "\(rebuild.summary)")
            // From 2.75 the answer is the whole server; before, without the extended attributes (as Nova's).
            #expect(rebuild.value("server", "OS-EXT-AZ:availability_zone") is String && rebuild.value("server", "config_drive") != nil)
            _ = try await waitForStatus(client, token, id, "ACTIVE")
            let older = try await nova(client, .post, "/servers/\(id)/action", token, ["rebuild": ["imageRef": image]], version: "2.74")
            let server = try #require(older.value("server") as? [String: Any], "\(older.summary)")
            #expect(!server.keys.contains { $0.hasPrefix("OS-EXT-") || ["config_drive", "key_name", "security_groups"].contains($0) }, "\(server.keys)")
            #expect(server["adminPass"] is String && server["name"] as? String == "renamed")
            let addresses = (server["addresses"] as? [String: [[String: Any]]])?.values.flatMap { $0 } ?? []
            #expect(!addresses.isEmpty && addresses.allSatisfy { $0.keys.sorted() == ["addr", "version"] }, "\(addresses)")
            _ = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(try text(try await self.spec(cloud, id), "openstack/latest/meta_data.json").contains("\"name\":\"renamed\""))

            let plain = try await boot(client, token, image: image, name: "plain", networks: "none")
            _ = try await waitForStatus(client, token, plain, "ACTIVE")
            let plainSpec = try await self.spec(cloud, plain)
            #expect(plainSpec.configDriveFiles == nil && plainSpec.interfaces.isEmpty, "\(plainSpec)")
        }
    }

    @Test func forceConfigDriveGivesEveryServerOne() async throws {
        try await TestCloud.with(compute: ComputeSettings(forceConfigDrive: true)) { cloud, client in
            let token = try await client.token()
            let image = try await uploadImage(client, token)
            let id = try await boot(client, token, image: image, name: "forced", networks: "none")
            let active = try await waitForStatus(client, token, id, "ACTIVE")
            #expect(active.string("server", "config_drive") == "True", "the server does not show the drive it was given: \(active.summary)")
            #expect(try text(try await spec(cloud, id), "openstack/latest/meta_data.json").contains("\"uuid\":\"\(id)\""))
        }
    }
}
