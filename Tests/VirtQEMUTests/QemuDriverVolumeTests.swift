import Foundation
import StratusCore
import Testing
import Virt
import VirtQEMU

/// Volumes on the QEMU driver with the real test guest (scripts/build-test-image.sh, version 5), whose watcher prints
/// its disks and writes or reads a `STRATUS-DATA <uuid>` marker on each new volume.
@Suite("QEMU driver volumes")
struct QemuDriverVolumeTests {
    /// The disks of the guest's last `disks` line.
    static func lastDisks(_ console: String) -> String? {
        guard let last = console.components(separatedBy: "STRATUS TEST GUEST: disks ").last else { return nil }
        return String(last.prefix { !$0.isNewline })
    }

    /// The guest's QEMU arguments.
    static func arguments(_ instanceDirectory: String) throws -> [String] {
        let pid = try String(contentsOfFile: "\(instanceDirectory)/pid", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")).split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The names of the block nodes QEMU has.
    static func blockNodes(_ instanceDirectory: String) async throws -> [String] {
        try await QMPClient.withConnection(socketPath: "\(instanceDirectory)/qmp.sock") { qmp in
            guard case .array(let nodes) = try await qmp.execute("query-named-block-nodes") else { return [] }
            return nodes.compactMap { $0["node-name"]?.stringValue }
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aVolumeCarriesDataFromOneGuestToAnother() async throws {
        let image = try await QemuDriverTests.image()
        try await QemuDriverTests.withDriver { driver, directory in
            let first = QemuDriverTests.spec("volume-1", image: image)
            let second = QemuDriverTests.spec("volume-2", image: image)
            try await driver.spawn(first)
            try await driver.spawn(second)
            for guest in [first, second] {
                try await QemuDriverTests.waitForConsole(driver, guest.instanceId, toShow: "STRATUS TEST GUEST READY")
                let console = try await QemuDriverTests.waitForConsole(driver, guest.instanceId, toShow: "STRATUS TEST GUEST: disks ")
                #expect(Self.lastDisks(console) == "vda")
            }
            let volumeId = UUID().uuidString.lowercased()
            let path = "\(directory)/volume-\(volumeId).qcow2"
            _ = try await QEMUGuestTests.run(["qemu-img", "create", "-q", "-f", "qcow2", path, "64M"])
            let volume = VolumeAttachmentSpec(volumeId: volumeId, path: path, format: "qcow2")

            // Hot-plugged into the first guest, which writes its uuid on it.
            try await driver.attachVolume(first.instanceId, volume: volume)
            var console = try await QemuDriverTests.waitForConsole(driver, first.instanceId, toShow: "vdb wrote STRATUS-DATA \(first.instanceId)")
            #expect(console.contains("STRATUS TEST GUEST: disks vda vdb"), "\(console.suffix(2000))")
            let firstDirectory = "\(directory)/instances/\(first.instanceId)"
            #expect(try String(contentsOfFile: "\(firstDirectory)/guest.json", encoding: .utf8).contains(volumeId))
            await #expect(throws: DriverError.failed("Volume \(volumeId) is already attached to instance \(first.instanceId).")) {
                try await driver.attachVolume(first.instanceId, volume: volume)
            }

            // Unplugged: the guest lets it go, the nodes are gone and the record forgets it.
            try await driver.detachVolume(first.instanceId, volumeId: volumeId)
            console = try await QemuDriverTests.waitForConsole(driver, first.instanceId, toShow: "STRATUS TEST GUEST: disks ", count: 3)
            #expect(Self.lastDisks(console) == "vda", "\(console.suffix(2000))")
            #expect(try await Self.blockNodes(firstDirectory).allSatisfy { !$0.hasPrefix("vol") && !$0.hasPrefix("file") })
            #expect(!(try String(contentsOfFile: "\(firstDirectory)/guest.json", encoding: .utf8).contains(volumeId)))
            try await driver.detachVolume(first.instanceId, volumeId: volumeId)  // a volume that is gone already is not an error

            // The second guest finds the first one's marker.
            try await driver.attachVolume(second.instanceId, volume: volume)
            try await QemuDriverTests.waitForConsole(driver, second.instanceId, toShow: "vdb holds STRATUS-DATA \(first.instanceId)")

            // A power-off and on keeps it: it is on QEMU's command line, and the guest finds it again as it boots.
            try await driver.powerOff(second.instanceId)
            try await driver.powerOn(second.instanceId)
            let secondDirectory = "\(directory)/instances/\(second.instanceId)"
            #expect(try Self.arguments(secondDirectory).contains { $0.contains(#""filename":"\#(path)""#) })
            try await QemuDriverTests.waitForConsole(driver, second.instanceId, toShow: "vdb holds STRATUS-DATA \(first.instanceId)", count: 2)

            // A detach from a stopped guest changes its record only: the next start has no volume.
            try await driver.powerOff(second.instanceId)
            try await driver.detachVolume(second.instanceId, volumeId: volumeId)
            #expect(!(try String(contentsOfFile: "\(secondDirectory)/guest.json", encoding: .utf8).contains(volumeId)))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func failedStepsLeaveNothingHalfDone() async throws {
        let image = try await QemuDriverTests.image()
        try await QemuDriverTests.withDriver(volumeDetachTimeout: .seconds(3)) { driver, directory in
            let guest = QemuDriverTests.spec("volume-fail", image: image)
            let id = guest.instanceId
            try await driver.spawn(guest)
            try await QemuDriverTests.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST: disks ")
            let instanceDirectory = "\(directory)/instances/\(id)"

            // A file that is no qcow2 image: the file node is added, the format node is refused, the file node removed.
            let notAnImage = "\(directory)/not-an-image"
            try "just text\n".write(toFile: notAnImage, atomically: true, encoding: .utf8)
            let bad = VolumeAttachmentSpec(volumeId: UUID().uuidString.lowercased(), path: notAnImage, format: "qcow2")
            await #expect(throws: DriverError.self) { try await driver.attachVolume(id, volume: bad) }
            #expect(try await Self.blockNodes(instanceDirectory).allSatisfy { !$0.hasPrefix("vol") && !$0.hasPrefix("file") })
            #expect(!(try String(contentsOfFile: "\(instanceDirectory)/guest.json", encoding: .utf8).contains(bad.volumeId)))

            // A paused guest cannot answer the unplug request: the detach gives up, and the volume stays attached.
            let path = "\(directory)/volume.raw"
            _ = try await QEMUGuestTests.run(["qemu-img", "create", "-q", "-f", "raw", path, "16M"])
            let volume = VolumeAttachmentSpec(volumeId: UUID().uuidString.lowercased(), path: path, format: "raw")
            try await driver.attachVolume(id, volume: volume)
            try await QemuDriverTests.waitForConsole(driver, id, toShow: "vdb wrote STRATUS-DATA \(id)")
            try await driver.pause(id)
            let refused = await #expect(throws: DriverError.self) { try await driver.detachVolume(id, volumeId: volume.volumeId) }
            #expect(refused?.description.contains("the volume stays attached") == true, "\(String(describing: refused))")
            #expect(try String(contentsOfFile: "\(instanceDirectory)/guest.json", encoding: .utf8).contains(volume.volumeId))
            // Once it runs again the guest acts on the request; a second detach then finds the device gone and
            // removes the nodes.
            try await driver.unpause(id)
            let console = try await QemuDriverTests.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST: disks ", count: 3)
            #expect(Self.lastDisks(console) == "vda")
            try await driver.detachVolume(id, volumeId: volume.volumeId)
            #expect(try await Self.blockNodes(instanceDirectory).allSatisfy { !$0.hasPrefix("vol") && !$0.hasPrefix("file") })
        }
    }

    /// A guest whose root disk is a volume (a copy of the test image, as the volume service makes one from an image):
    /// it boots from it, finds its marker-less root volume and leaves it alone, keeps it over a power cycle, and the
    /// volume file outlives the guest.
    @Test(.timeLimit(.minutes(10)))
    func aGuestBootsFromARootVolume() async throws {
        let image = try await QemuDriverTests.image()
        try await QemuDriverTests.withDriver { driver, directory in
            let volumeId = UUID().uuidString.lowercased()
            let path = "\(directory)/volume-\(volumeId).qcow2"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            _ = try await QEMUGuestTests.run(["qemu-img", "convert", "-q", "-f", "qcow2", "-O", "qcow2", image, path])
            _ = try await QEMUGuestTests.run(["qemu-img", "resize", "-q", "-f", "qcow2", path, "1G"])
            var guest = QemuDriverTests.spec("root-volume", image: image)
            guest.imageId = nil
            guest.imagePath = nil
            guest.imageDiskFormat = nil
            guest.volumes = [VolumeAttachmentSpec(volumeId: volumeId, path: path, format: "qcow2", bootIndex: 0)]
            try await driver.spawn(guest)
            let id = guest.instanceId
            let instanceDirectory = "\(directory)/instances/\(id)"
            var console = try await QemuDriverTests.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST READY")
            console = try await QemuDriverTests.waitForConsole(driver, id, toShow: "vda holds other data")
            #expect(Self.lastDisks(console) == "vda", "\(console.suffix(2000))")
            #expect(!FileManager.default.fileExists(atPath: "\(instanceDirectory)/disk"), "no root disk file of its own")
            let arguments = try Self.arguments(instanceDirectory)
            #expect(arguments.contains { $0.hasPrefix("virtio-blk-pci,") && $0.contains("id=volume-\(volumeId)") && $0.hasSuffix(",bootindex=1") }, "\(arguments)")
            #expect(try await driver.attachedVolumes(id).map(\.volumeId) == [volumeId])
            await #expect(throws: DriverError.self) { try await driver.detachVolume(id, volumeId: volumeId) }
            await #expect(throws: DriverError.self) { _ = try await driver.snapshot(id, to: "\(directory)/snapshot.qcow2") }

            try await driver.powerOff(id)
            try await driver.powerOn(id)
            try await QemuDriverTests.waitForConsole(driver, id, toShow: "STRATUS TEST GUEST READY", count: 2)

            try await driver.destroy(id)
            #expect(FileManager.default.fileExists(atPath: path), "the volume outlives its guest")
        }
    }
}
