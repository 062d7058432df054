import Foundation
import StratusCore
import Testing
import Virt
import VirtQEMU

/// Moves between two QEMU drivers with their own data directories (two hosts on one machine), on the real test guest:
/// live, it keeps running (no second boot), what it wrote on its local disk and its volume (a file both hosts share,
/// hot-plugged before, which the destination writes once it took over); cold, it boots there on that disk.
@Suite("QEMU migration")
struct QemuDriverMigrationTests {
    @Test(.timeLimit(.minutes(5)))
    func aGuestMovesLiveAndBackColdWithItsDisk() async throws {
        let image = try await QemuDriverTests.image()
        try await QemuDriverTests.withDriver { source, _ in
            try await QemuDriverTests.withDriver { destination, _ in
                var spec = QemuDriverTests.spec("mover", image: image)
                spec.ephemeralGB = 1
                let shared = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-shared-\(UUID().uuidString)").path
                try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: shared) }
                let volume = VolumeAttachmentSpec(volumeId: UUID().uuidString.lowercased(), path: "\(shared)/volume.raw", format: "raw", device: "/dev/vdc")
                #expect(FileManager.default.createFile(atPath: volume.path, contents: Data(count: 1 << 20)))
                let id = spec.instanceId
                try await source.spawn(spec)
                _ = try await QemuDriverTests.waitForConsole(source, id, toShow: "STRATUS TEST GUEST READY")
                // Hot-plugged: the destination has it on its command line, at the same PCI address.
                try await source.attachVolume(id, volume: volume)
                spec.volumes = [volume]
                // The guest writes a marker on its ephemeral disk (vdb). What the shell prints differs from what was
                // typed (which the console echoes), so only the guest's own output matches.
                try await Self.type(source, id, "echo MIGRATION-MARKER | dd of=/dev/vdb bs=512 count=1 conv=sync,fsync 2>/dev/null && echo MARKER $((6*7))")
                _ = try await QemuDriverTests.waitForConsole(source, id, toShow: "MARKER 42")

                let uri = try await destination.prepareIncomingMigration(spec)
                #expect(uri.hasPrefix("tcp:127.0.0.1:") && uri.contains(" nbd:127.0.0.1:"), "\(uri)")
                #expect(await destination.powerState(id) == .paused, "the destination's guest waits for its state")
                try await source.migrate(id, to: uri)
                try await destination.finishIncomingMigration(id)
                #expect(await destination.powerState(id) == .running)
                #expect(await source.powerState(id) == .paused, "the source's copy stops once its state has gone")
                try await source.destroy(id)
                #expect(await source.guests().isEmpty)

                try await Self.type(destination, id, "echo ARRIVED $(dd if=/dev/vdb bs=512 count=1 2>/dev/null | head -n 1)")
                let console = try await QemuDriverTests.waitForConsole(destination, id, toShow: "ARRIVED MIGRATION-MARKER")
                #expect(!console.contains("Linux version"), "the guest booted again on the destination:\n\(console)")
                try await Self.type(destination, id, "echo VOLUME-MARKER | dd of=/dev/vdc bs=512 count=1 conv=sync,fsync 2>/dev/null && echo VOLUME $((6*7))")
                _ = try await QemuDriverTests.waitForConsole(destination, id, toShow: "VOLUME 42")
                let written = try Data(contentsOf: URL(fileURLWithPath: volume.path)).prefix(13)
                #expect(String(decoding: written, as: UTF8.self) == "VOLUME-MARKER", "the destination writes the shared volume file")

                // Cold, back to the first host: stopped, it goes from a QEMU whose CPUs never start; started there, it
                // boots on its disk as it was.
                try await destination.powerOff(id)
                let back = try await source.prepareIncomingMigration(spec)
                try await destination.migrate(id, to: back)
                #expect(await destination.powerState(id) == .shutdown, "a stopped guest stays stopped on the host it left")
                try await source.finishIncomingMigration(id)
                try await source.powerOff(id)
                try await source.powerOn(id)
                _ = try await QemuDriverTests.waitForConsole(source, id, toShow: "STRATUS TEST GUEST READY")
                try await Self.type(source, id, "echo BACK $(dd if=/dev/vdb bs=512 count=1 2>/dev/null | head -n 1)")
                _ = try await QemuDriverTests.waitForConsole(source, id, toShow: "BACK MIGRATION-MARKER")
            }
        }
    }

    /// Types `line` into the guest's serial console (its shell reads from it), staying connected while the guest takes
    /// it in: QEMU drops what the serial port has not read yet when the connection closes.
    static func type(_ driver: QemuDriver, _ id: InstanceID, _ line: String) async throws {
        let socket = "\(driver.settings.dataDirectory)/instances/\(id)/serial.sock"
        let script = "import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b'\\n' + sys.argv[2].encode() + b'\\n'); time.sleep(2); s.close()"
        _ = try await QEMUGuestTests.run(["python3", "-c", script, socket, line])
    }
}
