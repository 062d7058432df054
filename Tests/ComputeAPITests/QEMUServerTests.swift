import Foundation
import HTTPTypes
import ImageAPI
import Logging
import StratusApp
import StratusCore
import StratusTesting
import Testing
import VirtQEMU

/// Servers on real QEMU guests, through the compute API in-process: the test image uploaded to the image service,
/// booted, its console read back through os-getConsoleOutput.
@Suite("Servers on the QEMU driver")
struct QEMUServerTests {
    @Test(.timeLimit(.minutes(5)))
    func bootsTheTestImageAndShowsItsConsole() async throws {
        let image = try await TestGuestImage.path()
        try await Self.withQEMUCloud { cloud, client, directory in
            let token = try await client.token()
            let hypervisors = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.1")
            #expect(hypervisors.list("hypervisors").first?["hypervisor_type"] as? String == "QEMU", "\(hypervisors.summary)")
            #expect(hypervisors.list("hypervisors").first?["hypervisor_hostname"] as? String == "qemu-test", "\(hypervisors.summary)")
            // cpu_info is a JSON text before 2.28 and an object from 2.28 (until 2.88 drops it).
            let cpuInfo = try #require(hypervisors.list("hypervisors").first?["cpu_info"] as? String, "\(hypervisors.summary)")
            let info = try #require(try JSONSerialization.jsonObject(with: Data(cpuInfo.utf8)) as? [String: String])
            #expect(info == ["arch": "x86_64", "accelerator": "tcg"], "\(cpuInfo)")
            let newer = try await nova(client, .get, "/os-hypervisors/detail", token, version: "2.28")
            #expect(newer.list("hypervisors").first?["cpu_info"] as? [String: String] == info, "\(newer.summary)")

            let imageId = try await createImage(client, token, name: "stratus-test", diskFormat: "qcow2")
            try await cloud.image.receiveData(ImageID(imageId), fromFile: image, logger: Logger(label: "test"))
            // 128 MiB is what the test guest needs; a TCG guest touches all of its memory while it boots.
            let flavor = try await nova(client, .post, "/flavors", token, ["flavor": ["name": "guest", "ram": 128, "vcpus": 1, "disk": 1]])
            let flavorId = try #require(flavor.string("flavor", "id"), "\(flavor.summary)")
            let id = try await boot(client, token, image: imageId, name: "guest", flavor: flavorId, networks: "none")
            let active = try await waitForStatus(client, token, id, "ACTIVE", seconds: 120)
            #expect(active.value("server", "OS-EXT-STS:power_state") as? Int == 1, "\(active.summary)")

            let console = try await waitForConsole(client, token, id, toShow: "STRATUS TEST GUEST READY")
            #expect(console.contains("STRATUS TEST GUEST 5"))
            #expect(console.contains("smbios uuid \(id)"), "the guest's SMBIOS uuid is not its instance id:\n\(console)")
            let lastLine = try await nova(client, .post, "/servers/\(id)/action", token, ["os-getConsoleOutput": ["length": 1]])
            #expect(lastLine.string("output")?.split(separator: "\n").count == 1, "\(lastLine.summary)")
            // The image went into the host's cache once, the guest's disk into its own directory.
            #expect(FileManager.default.fileExists(atPath: "\(directory)/image-cache/\(imageId)"))
            #expect(FileManager.default.fileExists(atPath: "\(directory)/instances/\(id)/disk.qcow2"))
            #expect(try await cloud.compute.removeUnusedImages(maxAge: 0).isEmpty, "the cache cleanup removed the image of a running guest")

            let deleted = try await nova(client, .delete, "/servers/\(id)", token)
            #expect(deleted.status == 204, "\(deleted.summary)")
            try await waitUntilGone(client, token, id, seconds: 60)
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/instances").isEmpty)
            // No guest uses the image any more: the cleanup removes it.
            #expect(try await cloud.compute.removeUnusedImages(maxAge: 0) == [imageId])
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/image-cache/\(imageId)"))
        }
    }

    // A harness limit, not a check of speed: the whole suite starts at once on two cores, and this test's qemu-img
    // runs wait their turn (it took 120 s in CI once).
    @Test(.timeLimit(.minutes(10)))
    func anImageThatIsNotADiskImageFailsTheBootWithAClearFault() async throws {
        try TestGuestImage.requireQEMU()
        try await Self.withQEMUCloud { cloud, client, directory in
            let token = try await client.token()
            let imageId = try await createImage(client, token, name: "not-a-disk", diskFormat: "qcow2")
            let upload = try await client.request(.put, "/image/v2/images/\(imageId)/file", token: token, json: "this is a text file, not a disk image\n",
                                                  headers: ["Content-Type": "application/octet-stream"])
            try #require(upload.status == 204, "\(upload.summary)")
            let id = try await boot(client, token, image: imageId, name: "bad", networks: "none")
            let failed = try await waitForError(client, token, id)
            let fault = try #require(failed.value("server", "fault", "message") as? String, "\(failed.summary)")
            #expect(fault.contains("Image \(imageId) is not a valid qcow2 disk image"), "\(fault)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/instances").isEmpty)
        }
    }

    /// A cloud whose one compute host `qemu-test` runs QEMU guests in a fresh data directory (short: a guest's QMP
    /// socket path must fit in 108 bytes). Guests outlive the cloud by design, so any a failed test left are destroyed.
    static func withQEMUCloud(_ body: @Sendable (TestCloud, TestClient, String) async throws -> Void) async throws {
        let settings = QemuSettings(dataDirectory: "/tmp/stratus-qs-\(UUID().uuidString.prefix(8))", powerOffTimeout: .seconds(30))
        defer { try? FileManager.default.removeItem(atPath: settings.dataDirectory) }
        do {
            try await TestCloud.with(driver: .qemu(host: "qemu-test", settings: settings)) { try await body($0, $1, settings.dataDirectory) }
        } catch {
            try await destroyGuests(settings)
            throw error
        }
        try await destroyGuests(settings)
    }

    static func destroyGuests(_ settings: QemuSettings) async throws {
        let driver = try await QemuDriver.probe(settings)
        for guest in await driver.guests() { try await driver.destroy(guest) }
    }

    /// Creates a queued image record; returns its id.
    func createImage(_ client: TestClient, _ token: String, name: String, diskFormat: String) async throws -> String {
        let created = try await client.request(
            .post, "/image/v2/images", token: token, json: ["name": name, "disk_format": diskFormat, "container_format": "bare"]
        )
        return try #require(created.string("id"), "\(created.summary)")
    }

    /// Polls os-getConsoleOutput until it shows `text`; returns the output.
    func waitForConsole(_ client: TestClient, _ token: String, _ id: String, toShow text: String) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let reply = try await nova(client, .post, "/servers/\(id)/action", token, ["os-getConsoleOutput": [:]])
            let output = reply.string("output") ?? ""
            if output.contains(text) { return output }
            try #require(ContinuousClock.now < deadline, "no \"\(text)\" in the console output within 120 s: \(reply.status) \(output.suffix(2000))")
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Polls the server until it is ERROR, with a deadline.
    func waitForError(_ client: TestClient, _ token: String, _ id: String) async throws -> TestClient.Reply {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let reply = try await nova(client, .get, "/servers/\(id)", token)
            if reply.string("server", "status") == "ERROR" { return reply }
            try #require(ContinuousClock.now < deadline, "server \(id) did not go to ERROR: \(reply.summary)")
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
