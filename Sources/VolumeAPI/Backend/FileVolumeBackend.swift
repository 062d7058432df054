import Foundation
public import StratusCore

/// Volumes as qcow2 files in one directory, made and changed with `qemu-img` (Cinder's NFS-style file drivers, on
/// the local file system): `volume-<id>.qcow2` and `snapshot-<id>.qcow2`.
///
/// A new file is made under a temporary name and renamed into place when complete, so a failure leaves no file.
/// Volumes from images, snapshots and other volumes are full copies (`qemu-img convert`): nothing depends on a
/// base that may go away.
public struct FileVolumeBackend: VolumeBackend {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var name: String { "file" }

    func volumePath(_ id: VolumeID) -> String { directory + "/volume-\(id).qcow2" }
    func snapshotPath(_ id: SnapshotID) -> String { directory + "/snapshot-\(id).qcow2" }

    public func create(_ volume: VolumeID, size: Int, from source: VolumeSource) async throws {
        try prepareDirectory()
        let temporary = directory + "/.creating-\(volume).qcow2"
        var scratch: String?
        defer {
            try? FileManager.default.removeItem(atPath: temporary)
            if let scratch { try? FileManager.default.removeItem(atPath: scratch) }
        }
        switch source {
        case .blank:
            try await Self.qemuImg(["create", "-q", "-f", "qcow2", temporary, "\(size)G"])
        case .image(let image, let diskFormat, let write):
            let data = directory + "/.image-\(volume)"
            scratch = data
            try await write(data)
            let format = diskFormat.flatMap(Self.qemuFormat).map { ["-f", $0] } ?? []
            // qemu-img would copy a backing file's data in too, and the header may name any file of the host.
            if let backing = try await Self.info(data, format: format)["backing-filename"] as? String {
                throw VolumeBackendError("image \(image) refers to a backing file (\(backing)); such images are refused")
            }
            try await Self.qemuImg(["convert", "-q"] + format + ["-O", "qcow2", data, temporary])
            try await Self.grow(temporary, to: size, what: "image \(image)")
        case .snapshot(let snapshot):
            try await Self.qemuImg(["convert", "-q", "-f", "qcow2", "-O", "qcow2", snapshotPath(snapshot), temporary])
            try await Self.grow(temporary, to: size, what: "snapshot \(snapshot)")
        case .volume(let source):
            try await Self.qemuImg(["convert", "-q", "-U", "-f", "qcow2", "-O", "qcow2", volumePath(source), temporary])
            try await Self.grow(temporary, to: size, what: "volume \(source)")
        }
        try FileManager.default.moveItem(atPath: temporary, toPath: volumePath(volume))
    }

    public func extend(_ volume: VolumeID, to size: Int) async throws {
        try await Self.qemuImg(["resize", "-q", "-f", "qcow2", volumePath(volume), "\(size)G"])
    }

    public func snapshot(_ snapshot: SnapshotID, of volume: VolumeID) async throws {
        try prepareDirectory()
        let temporary = directory + "/.creating-snapshot-\(snapshot).qcow2"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        try await Self.qemuImg(["convert", "-q", "-U", "-f", "qcow2", "-O", "qcow2", volumePath(volume), temporary])
        try FileManager.default.moveItem(atPath: temporary, toPath: snapshotPath(snapshot))
    }

    public func delete(_ volume: VolumeID) async throws {
        try Self.remove(volumePath(volume))
    }

    public func deleteSnapshot(_ snapshot: SnapshotID) async throws {
        try Self.remove(snapshotPath(snapshot))
    }

    public func connectionInfo(_ volume: VolumeID) -> VolumeAttachment.ConnectionInfo {
        VolumeAttachment.ConnectionInfo(driverVolumeType: "file", path: volumePath(volume), format: "qcow2")
    }

    private func prepareDirectory() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    private static func remove(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else { return }
        try FileManager.default.removeItem(atPath: path)
    }

    /// Grows a new qcow2 file to `size` GiB; fails when its contents are larger than that.
    private static func grow(_ path: String, to size: Int, what: String) async throws {
        let bytes = size << 30
        guard let virtual = (try await info(path, format: ["-f", "qcow2"])["virtual-size"] as? NSNumber)?.intValue else {
            throw VolumeBackendError("qemu-img info gave no virtual-size for \(path)")
        }
        guard virtual <= bytes else { throw VolumeBackendError("\(what) is \(virtual) bytes, larger than the volume's \(size) GiB") }
        if virtual < bytes { try await qemuImg(["resize", "-q", "-f", "qcow2", path, "\(size)G"]) }
    }

    /// `qemu-img info` of the file (`format`: `["-f", name]`, or empty to probe), as its JSON object.
    private static func info(_ path: String, format: [String]) async throws -> [String: Any] {
        let info = try await qemuImg(["info", "--output=json"] + format + [path])
        guard let data = info.output.data(using: .utf8), let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw VolumeBackendError("qemu-img info gave no JSON object for \(path)")
        }
        return object
    }

    /// qemu-img's name for a Glance disk format it reads; nil lets it probe.
    private static func qemuFormat(_ diskFormat: String) -> String? {
        switch diskFormat {
        case "raw", "qcow2", "vmdk", "vdi", "vhdx": diskFormat
        case "vhd": "vpc"
        default: nil
        }
    }

    @discardableResult
    private static func qemuImg(_ arguments: [String]) async throws -> ToolRun {
        let run: ToolRun
        do {
            run = try await ToolRun.run("qemu-img", arguments)
        } catch is ToolRun.Missing {
            throw VolumeBackendError("qemu-img is not installed (apt-get install qemu-utils)")
        }
        guard run.status == 0 else {
            throw VolumeBackendError("qemu-img \(arguments.first ?? "") failed (\(run.status)): \(run.errors.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        return run
    }
}
