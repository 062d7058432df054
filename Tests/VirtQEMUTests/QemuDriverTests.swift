import Foundation
import StratusCore
import Testing
import Virt
import VirtQEMU

/// The QEMU driver on the real test guest (scripts/build-test-image.sh) under TCG: one boot, driven through its lifecycle.
@Suite("QEMU driver")
struct QemuDriverTests {
    /// A data directory short enough for the guests' QMP sockets; removed with everything in it afterwards.
    static func withDriver(
        powerOffTimeout: Duration = .seconds(30), volumeDetachTimeout: Duration = .seconds(30), _ body: (QemuDriver, String) async throws -> Void
    ) async throws {
        let directory = "/tmp/stratus-qd-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let driver = try await QemuDriver.probe(
            QemuSettings(dataDirectory: directory, powerOffTimeout: powerOffTimeout, volumeDetachTimeout: volumeDetachTimeout)
        )
        do {
            try await body(driver, directory)
        } catch {
            for guest in await driver.guests() { try? await driver.destroy(guest) }
            throw error
        }
        for guest in await driver.guests() { try? await driver.destroy(guest) }
    }

    static func image() async throws -> String {
        guard QEMUGuestTests.onPath("qemu-system-x86_64"), QEMUGuestTests.onPath("qemu-img") else {
            throw DriverError.failed("qemu-system-x86_64 or qemu-img is not installed: run scripts/install-test-deps.sh")
        }
        let output = try await QEMUGuestTests.run(["bash", QEMUGuestTests.repository.appendingPathComponent("scripts/build-test-image.sh").path])
        return try #require(output.split(separator: "\n").last.map(String.init))
    }

    /// A guest of the test image with one vCPU, 128 MiB (what it needs: a TCG guest touches all of its memory while it
    /// boots) and a 1 GiB root disk.
    static func spec(_ name: String, image: String) -> GuestSpec {
        GuestSpec(
            instanceId: InstanceID.generateUUID(), name: name, hostname: name, vcpus: 1, memoryMB: 128, rootGB: 1, imageId: ImageID("test-image"),
            imagePath: image, imageDiskFormat: "qcow2"
        )
    }

    @Test(.timeLimit(.minutes(5)))
    func runsAGuestThroughItsLifecycle() async throws {
        let image = try await Self.image()
        try await Self.withDriver { driver, directory in
            let resources = try await driver.hostResources()
            #expect(resources.hypervisorType == "QEMU")
            #expect(resources.hypervisorVersion == driver.version.novaInteger && driver.version.major >= 2)
            #expect(resources.vcpus == ProcessInfo.processInfo.activeProcessorCount)
            #expect(resources.memoryMB > 0 && resources.diskGB > 0)

            let id = InstanceID.generateUUID()
            // One port, whose address the guest's DHCP must get, and a config drive.
            let port = GuestInterface(
                portId: PortID("port-1"), networkId: NetworkID("net-1"), macAddress: "fa:16:3e:00:00:17", addresses: [try #require(IPAddress("192.168.50.23"))],
                subnets: [GuestSubnet(cidr: try #require(IPNetwork("192.168.50.0/24")), gateway: IPAddress("192.168.50.1"))]
            )
            let metaData = #"{"uuid": "\#(id)", "hostname": "lifecycle.novalocal"}"#
            let spec = GuestSpec(
                instanceId: id, name: "lifecycle", hostname: "lifecycle", vcpus: 1, memoryMB: 128, rootGB: 1, ephemeralGB: 1, swapMB: 32, imageId: ImageID("test-image"),
                imagePath: image, imageDiskFormat: "qcow2", interfaces: [port],
                configDriveFiles: ["openstack/latest/meta_data.json": Array(metaData.utf8)]
            )
            try await driver.spawn(spec)
            let instanceDirectory = "\(directory)/instances/\(id)"
            #expect(await driver.guests() == [id])
            #expect(try await driver.imagesInUse() == [ImageID("test-image")])
            #expect(Set(try FileManager.default.contentsOfDirectory(atPath: instanceDirectory)).isSuperset(of: [
                "disk.qcow2", "disk.eph0", "disk.swap", "config.iso", "qmp.sock", "console.log", "pid", "guest.json",
            ]))
            let guestFile = try String(contentsOfFile: "\(instanceDirectory)/guest.json", encoding: .utf8)
            #expect(!guestFile.contains("lifecycle.novalocal"), "the config drive's contents are in guest.json: \(guestFile)")
            let forward = try #require(await driver.sshForward(id), "no SSH forward for a guest with a port")
            #expect(forward.hasPrefix("127.0.0.1:"))
            // The overlay has the flavor's size, backed by the cached image; the ephemeral and swap disks the flavor's sizes.
            let disk = try await QEMUGuestTests.run(["qemu-img", "info", "-U", "--output=json", "\(instanceDirectory)/disk.qcow2"])
            #expect(disk.contains("\"virtual-size\": 1073741824") && disk.contains("\"backing-filename\": \"\(image)\""), "\(disk)")
            #expect(try await Self.virtualSize("\(instanceDirectory)/disk.eph0") == 1 << 30)
            #expect(try await Self.virtualSize("\(instanceDirectory)/disk.swap") == 32 << 20)

            let console = try await Self.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST READY")
            #expect(console.contains("smbios uuid \(id)"), "the guest's SMBIOS uuid is not its instance id:\n\(console)")
            #expect(console.contains("STRATUS TEST GUEST: net eth0 192.168.50.23/24"), "the guest did not get its port's address:\n\(console)")
            #expect(console.contains("instance-uuid: \(id)") && console.contains("hostname: lifecycle.novalocal"), "no config drive:\n\(console)")
            #expect(await driver.powerState(id) == .running)
            let lastLine = try await driver.consoleOutput(id, lines: 1)
            #expect(!lastLine.isEmpty && lastLine.split(separator: "\n").count == 1, "\(lastLine)")

            try await driver.pause(id)
            #expect(await driver.powerState(id) == .paused)
            await #expect(throws: DriverError.invalidPowerState(id, .paused, "pause")) { try await driver.pause(id) }
            let snapshot = "\(directory)/snapshot.qcow2"
            #expect(try await driver.snapshot(id, to: snapshot) == "qcow2")
            #expect(await driver.powerState(id) == .paused, "a paused guest stays paused after a snapshot")
            let info = try await QEMUGuestTests.run(["qemu-img", "info", "--output=json", snapshot])
            #expect(info.contains("\"format\": \"qcow2\"") && !info.contains("backing-filename"), "\(info)")
            try await driver.unpause(id)
            #expect(await driver.powerState(id) == .running)

            // The guest acts on the ACPI button (its "power button" line may not leave the UART before it powers
            // off): well within the time limit after which QEMU would be quit instead.
            let pressed = ContinuousClock.now
            try await driver.powerOff(id)
            #expect(ContinuousClock.now - pressed < driver.settings.powerOffTimeout, "the guest did not power off on ACPI")
            #expect(await driver.powerState(id) == .shutdown)
            await #expect(throws: DriverError.invalidPowerState(id, .shutdown, "power off")) { try await driver.powerOff(id) }

            // A resize while stopped: more memory and a root disk grown to the new size, both there at the next start.
            var resized = spec
            resized.memoryMB = 192
            resized.rootGB = 2
            resized.ephemeralGB = 2
            resized.swapMB = 64
            try await driver.resize(id, to: resized)
            #expect(await driver.powerState(id) == .shutdown, "a stopped guest stays stopped through a resize")
            let grown = try await QEMUGuestTests.run(["qemu-img", "info", "-U", "--output=json", "\(instanceDirectory)/disk.qcow2"])
            #expect(grown.contains("\"virtual-size\": 2147483648"), "\(grown)")
            #expect(try await Self.virtualSize("\(instanceDirectory)/disk.eph0") == 2 << 30)
            #expect(try await Self.virtualSize("\(instanceDirectory)/disk.swap") == 64 << 20)
            try await driver.powerOn(id)
            #expect(await driver.powerState(id) == .running)
            let pid = try String(contentsOfFile: "\(instanceDirectory)/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            let arguments = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            #expect(arguments.contains("192M"), "\(arguments)")
            #expect(arguments.contains("file=\(instanceDirectory)/disk.eph0,format=qcow2,if=virtio,id=disk1"), "\(arguments)")
            #expect(arguments.contains("file=\(instanceDirectory)/disk.swap,format=qcow2,if=virtio,id=disk2"), "\(arguments)")
            // The console log is appended to: the second boot's banner follows the first one's.
            // The config drive and the SSH forward's port are kept through the stop and start.
            let second = try await Self.waitForConsole(driver, id, toShow: "instance-uuid: \(id)", count: 2)
            #expect(second.hasPrefix(console))
            #expect(await driver.sshForward(id) == forward)
            #expect(arguments.contains { $0.contains("hostfwd=tcp:\(forward)-192.168.50.23:22") && $0.contains("restrict=on") }, "\(arguments)")

            // A hard reboot resets the machine in the same QEMU: a third boot on the console.
            try await driver.reboot(id, hard: true)
            try await Self.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST 5", count: 3)
            #expect(try String(contentsOfFile: "\(instanceDirectory)/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == pid)
            #expect(await driver.powerState(id) == .running)

            try await driver.destroy(id)
            #expect(!FileManager.default.fileExists(atPath: instanceDirectory))
            #expect(await driver.powerState(id) == .noState)
            #expect(await driver.guests().isEmpty)
            try await driver.destroy(id)  // a guest that is gone already is not an error
            await #expect(throws: DriverError.guestNotFound(id)) { try await driver.consoleOutput(id, lines: nil) }
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func suspendsToAFileAndResumesTheSameGuest() async throws {
        let image = try await Self.image()
        try await Self.withDriver { driver, directory in
            let spec = Self.spec("suspend", image: image)
            let id = spec.instanceId
            try await driver.spawn(spec)
            let instanceDirectory = "\(directory)/instances/\(id)"
            let savedState = "\(instanceDirectory)/state.save"
            try await Self.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST READY")
            let pid = try String(contentsOfFile: "\(instanceDirectory)/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)

            try await driver.suspend(id)
            #expect(await driver.powerState(id) == .suspended)
            #expect(!Self.runs(pid: pid, of: instanceDirectory), "QEMU still runs after the suspend")
            #expect(QEMUProcess.running(pidFile: "\(instanceDirectory)/pid", commandLineContains: instanceDirectory) == nil)
            let saved = try #require(try FileManager.default.attributesOfItem(atPath: savedState)[.size] as? Int)
            #expect(saved > 1 << 20, "the saved state holds the guest's RAM: only \(saved) bytes")
            #expect(!FileManager.default.fileExists(atPath: "\(instanceDirectory)/state.save.partial"))
            await #expect(throws: DriverError.invalidPowerState(id, .suspended, "suspend")) { try await driver.suspend(id) }
            await #expect(throws: DriverError.invalidPowerState(id, .suspended, "resize")) { try await driver.resize(id, to: spec) }
            // A suspended guest's snapshot is a copy of its disk.
            #expect(try await driver.snapshot(id, to: "\(directory)/snapshot.qcow2") == "qcow2")
            #expect(await driver.powerState(id) == .suspended)

            try await driver.resume(id)
            #expect(await driver.powerState(id) == .running)
            #expect(!FileManager.default.fileExists(atPath: savedState))
            await #expect(throws: DriverError.invalidPowerState(id, .running, "resume")) { try await driver.resume(id) }

            // A power-on of a suspended guest resumes it too.
            try await driver.suspend(id)
            #expect(await driver.powerState(id) == .suspended)
            try await driver.powerOn(id)
            #expect(await driver.powerState(id) == .running)
            #expect(!FileManager.default.fileExists(atPath: savedState))

            // The resumed guest is the one that booted, running on: it acts on the ACPI button (well within the time
            // after which QEMU would be quit), and it never booted again.
            let pressed = ContinuousClock.now
            try await driver.powerOff(id)
            #expect(ContinuousClock.now - pressed < driver.settings.powerOffTimeout, "the resumed guest did not power off on ACPI")
            #expect(await driver.powerState(id) == .shutdown)
            let console = try await driver.consoleOutput(id, lines: nil)
            #expect(console.components(separatedBy: "STRATUS TEST GUEST 5").count == 2, "the guest booted again:\n\(console.suffix(3000))")
        }
    }

    // A harness limit, not a check of speed: the whole suite starts at once on two cores, and this test's qemu-img
    // runs wait their turn (it took 120 s in CI once).
    @Test(.timeLimit(.minutes(10)))
    func aGuestQEMURefusesLeavesNothingBehind() async throws {
        let image = try await Self.image()
        try await Self.withDriver { driver, directory in
            var spec = Self.spec("huge", image: image)
            spec.vcpus = 300
            let refused = await #expect(throws: DriverError.self) { try await driver.spawn(spec) }
            #expect(refused?.description.contains("Invalid SMP CPUs 300") == true, "QEMU's own message is not in the error: \(String(describing: refused))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/instances").isEmpty)

            spec.vcpus = 1
            spec.rootGB = 0
            spec.imageDiskFormat = "iso"
            await #expect(throws: DriverError.failed("Image test-image has disk format 'iso'; the QEMU driver boots qcow2, raw, vmdk, vdi, vhd and vhdx images.")) {
                try await driver.spawn(spec)
            }
            let text = "\(directory)/not-a-disk"
            try "just text\n".write(toFile: text, atomically: true, encoding: .utf8)
            spec.imagePath = text
            spec.imageDiskFormat = "qcow2"
            let notADisk = await #expect(throws: DriverError.self) { try await driver.spawn(spec) }
            #expect(notADisk?.description.hasPrefix("Image test-image is not a valid qcow2 disk image: qemu-img failed") == true, "\(String(describing: notADisk))")
            #expect(try FileManager.default.contentsOfDirectory(atPath: "\(directory)/instances").isEmpty)
        }
    }

    @Test func probeNamesThePackageOfAMissingTool() async throws {
        let settings = QemuSettings(dataDirectory: "/tmp/stratus-qd-probe", imageTool: "qemu-img-that-is-not-installed")
        defer { try? FileManager.default.removeItem(atPath: "/tmp/stratus-qd-probe") }
        await #expect(throws: DriverError.failed(
            "qemu-img-that-is-not-installed is not installed: install the Debian package qemu-utils (apt-get install qemu-utils), or use --driver fake."
        )) {
            try await QemuDriver.probe(settings)
        }
        await #expect(throws: DriverError.self) { try await QemuDriver.probe(QemuSettings(dataDirectory: "relative/data")) }
    }

    @Test func consoleLogIsRotatedPastOneMebibyte() async throws {
        try await Self.withDriver { driver, directory in
            let id = InstanceID.generateUUID()
            let instanceDirectory = "\(directory)/instances/\(id)"
            try FileManager.default.createDirectory(atPath: instanceDirectory, withIntermediateDirectories: true)
            let lines = (0..<40_000).map { "console line \($0)\n" }.joined()  // about 0.8 MiB
            try lines.write(toFile: "\(instanceDirectory)/console.log", atomically: true, encoding: .utf8)
            #expect(try await driver.consoleOutput(id, lines: 2) == "console line 39998\nconsole line 39999\n")
            #expect(!FileManager.default.fileExists(atPath: "\(instanceDirectory)/console.log.0"), "rotated below the limit")

            let handle = try #require(FileHandle(forWritingAtPath: "\(instanceDirectory)/console.log"))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data((40_000..<60_000).map { "console line \($0)\n" }.joined().utf8))
            try handle.close()
            #expect(try await driver.consoleOutput(id, lines: 2) == "console line 59998\nconsole line 59999\n")
            #expect(try FileManager.default.attributesOfItem(atPath: "\(instanceDirectory)/console.log")[.size] as? Int == 0)
            #expect(try await driver.consoleOutput(id, lines: nil).hasPrefix("console line 0\n"), "the rotated part is still shown")
        }
    }

    @Test func versionIsNovasInteger() {
        let version = QEMUVersion(versionOutput: "QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022")
        #expect(version == QEMUVersion(major: 7, minor: 2, micro: 22))
        #expect(version?.novaInteger == 7_002_022)
        #expect(QEMUVersion(versionOutput: "qemu-img version 8.1\n")?.novaInteger == 8_001_000)
        #expect(QEMUVersion(versionOutput: "no numbers here") == nil)
    }

    /// A disk image's virtual size, from `qemu-img info`.
    static func virtualSize(_ path: String) async throws -> Int {
        let info = try await QEMUGuestTests.run(["qemu-img", "info", "-U", "--output=json", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.utf8)) as? [String: Any], "\(info)")
        return try #require(object["virtual-size"] as? Int, "\(info)")
    }

    /// Whether process `pid` runs and belongs to the guest in `directory`.
    static func runs(pid: String, of directory: String) -> Bool {
        guard let arguments = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return String(decoding: arguments, as: UTF8.self).contains(directory)
    }

    /// Polls the guest's console output until `text` appears `count` times; returns the output.
    @discardableResult
    static func waitForConsole(_ driver: QemuDriver, _ id: InstanceID, toShow text: String, count: Int = 1) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(120)
        while true {
            let output = try await driver.consoleOutput(id, lines: nil)
            if output.components(separatedBy: text).count > count { return output }
            try #require(ContinuousClock.now < deadline, "no \"\(text)\" (\(count)x) on the console within 120 s:\n\(output.suffix(2000))")
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
