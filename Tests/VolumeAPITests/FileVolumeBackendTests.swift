import Foundation
import StratusCore
import Testing
import VolumeAPI

@Suite("File volume backend", .enabled(if: ToolRun.find("qemu-img") != nil))
struct FileVolumeBackendTests {
    func withDirectory(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-volumes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await body(directory)
    }

    func virtualSize(_ path: String) async throws -> Int {
        let info = try await ToolRun.run("qemu-img", ["info", "--output=json", path])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: Any])
        #expect(object["format"] as? String == "qcow2")
        return try #require((object["virtual-size"] as? NSNumber)?.intValue)
    }

    @Test func createsExtendsSnapshotsClonesAndDeletes() async throws {
        try await withDirectory { directory in
            let backend = FileVolumeBackend(directory: directory)
            let volume = VolumeID.generateUUID()
            try await backend.create(volume, size: 1, from: .blank)
            let path = backend.connectionInfo(volume).path
            #expect(path == directory + "/volume-\(volume).qcow2")
            #expect(try await virtualSize(path) == 1 << 30)
            try await backend.extend(volume, to: 2)
            #expect(try await virtualSize(path) == 2 << 30)

            let snapshot = SnapshotID.generateUUID()
            try await backend.snapshot(snapshot, of: volume)
            let restored = VolumeID.generateUUID()
            try await backend.create(restored, size: 3, from: .snapshot(snapshot))
            #expect(try await virtualSize(backend.connectionInfo(restored).path) == 3 << 30)
            let clone = VolumeID.generateUUID()
            try await backend.create(clone, size: 2, from: .volume(volume))
            #expect(try await virtualSize(backend.connectionInfo(clone).path) == 2 << 30)

            let image = VolumeID.generateUUID()
            try await backend.create(image, size: 1, from: .image("img", diskFormat: "raw") { path in
                #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 4096)))
            })
            #expect(try await virtualSize(backend.connectionInfo(image).path) == 1 << 30)

            for id in [volume, restored, clone, image] { try await backend.delete(id) }
            try await backend.deleteSnapshot(snapshot)
            try await backend.delete(volume)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }
    }

    /// Volumes from one image are overlays on one base, each through a link of its own; the data reads through; the
    /// base goes with the last of them.
    @Test func volumesFromAnImageAreCopyOnWrite() async throws {
        try await withDirectory { directory in
            let backend = FileVolumeBackend(directory: directory)
            let image = ImageID("0d8f6f4e-5a3c-4f0e-9b2d-1c2d3e4f5a6b")
            let content = Data("STRATUS IMAGE DATA\n".utf8) + Data(repeating: 0, count: 4096 - 19)
            let write: @Sendable (String) async throws -> Void = { path in
                guard FileManager.default.createFile(atPath: path, contents: content) else { throw VolumeBackendError("no file") }
            }
            let (first, second) = (VolumeID.generateUUID(), VolumeID.generateUUID())
            try await backend.create(first, size: 1, from: .image(image, diskFormat: "raw", write: write))
            try await backend.create(second, size: 2, from: .image(image, diskFormat: "raw", write: write))
            let base = directory + "/base-\(image).qcow2"
            #expect((try FileManager.default.attributesOfItem(atPath: base)[.referenceCount] as? NSNumber)?.intValue == 3, "the base and two links")
            for (volume, size) in [(first, 1), (second, 2)] {
                let path = backend.connectionInfo(volume).path
                let info = try await ToolRun.run("qemu-img", ["info", "--output=json", "-f", "qcow2", path])
                let object = try #require(try JSONSerialization.jsonObject(with: Data(info.output.utf8)) as? [String: Any])
                #expect(object["backing-filename"] as? String == "volume-\(volume).base.qcow2", "\(object)")
                #expect((object["virtual-size"] as? NSNumber)?.intValue == size << 30)
                let raw = directory + "/read-\(volume).raw"
                #expect(try await ToolRun.run("qemu-img", ["convert", "-f", "qcow2", "-O", "raw", path, raw]).status == 0)
                #expect(try Data(contentsOf: URL(fileURLWithPath: raw)).prefix(19) == Data("STRATUS IMAGE DATA\n".utf8))
                try FileManager.default.removeItem(atPath: raw)
            }
            // A clone and a snapshot of an overlay are standalone copies.
            let clone = VolumeID.generateUUID()
            try await backend.create(clone, size: 1, from: .volume(first))
            let cloneInfo = try await ToolRun.run("qemu-img", ["info", "--output=json", backend.connectionInfo(clone).path])
            #expect(!cloneInfo.output.contains("backing-filename"), "\(cloneInfo.output)")

            try await backend.delete(first)
            #expect(FileManager.default.fileExists(atPath: base), "the second volume still uses the base")
            try await backend.delete(second)
            try await backend.delete(clone)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        }
    }

    @Test func aFailedCreateLeavesNoFile() async throws {
        try await withDirectory { directory in
            let backend = FileVolumeBackend(directory: directory)
            await #expect(throws: VolumeBackendError.self) {
                try await backend.create(.generateUUID(), size: 1, from: .volume(.generateUUID()))
            }
            // An image larger than the volume.
            await #expect(throws: VolumeBackendError.self) {
                try await backend.create(.generateUUID(), size: 1, from: .image("img", diskFormat: "raw") { path in
                    let run = try await ToolRun.run("qemu-img", ["create", "-q", "-f", "raw", path, "2G"])
                    #expect(run.status == 0)
                })
            }
            // An image whose qcow2 header names a backing file: qemu-img would copy that host file's data in.
            let secret = directory + "-host-file"
            #expect(FileManager.default.createFile(atPath: secret, contents: Data("host secret\n".utf8)))
            defer { try? FileManager.default.removeItem(atPath: secret) }
            let refused = await #expect(throws: VolumeBackendError.self) {
                try await backend.create(.generateUUID(), size: 1, from: .image("img", diskFormat: "qcow2") { path in
                    let run = try await ToolRun.run("qemu-img", ["create", "-q", "-f", "qcow2", "-b", secret, "-F", "raw", path, "1M"])
                    #expect(run.status == 0)
                })
            }
            #expect(refused?.description.contains("backing file") == true, "\(String(describing: refused))")
            let left = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(left.isEmpty)
        }
    }
}
