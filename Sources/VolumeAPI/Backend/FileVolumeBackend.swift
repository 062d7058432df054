import Foundation
public import StratusCore

/// Volumes as qcow2 files in one directory, made and changed with `qemu-img` (Cinder's NFS-style file drivers, on
/// the local file system): `volume-<id>.qcow2` and `snapshot-<id>.qcow2`.
///
/// A new file is made under a temporary name and renamed into place when complete, so a failure leaves no file.
/// A volume from an image is copy-on-write: a qcow2 overlay on the image's base (`base-<image>.qcow2`, the image
/// converted to qcow2 once, shared by every volume made from it), through a hard link of its own
/// (`volume-<id>.base.qcow2`), so the base lives as long as some volume uses it and is removed with the last one.
/// Volumes from snapshots and other volumes, and snapshots, are full copies (`qemu-img convert`).
public struct FileVolumeBackend: VolumeBackend {
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public var name: String { "file" }

    func volumePath(_ id: VolumeID) -> String { directory + "/volume-\(id).qcow2" }
    func snapshotPath(_ id: SnapshotID) -> String { directory + "/snapshot-\(id).qcow2" }
    func basePath(_ image: ImageID) -> String { directory + "/base-\(image).qcow2" }
    /// The volume's own hard link to its image's base, which its overlay names as its backing file.
    func baseLinkPath(_ id: VolumeID) -> String { directory + "/volume-\(id).base.qcow2" }

    public func create(_ volume: VolumeID, size: Int, from source: VolumeSource) async throws {
        try prepareDirectory()
        let temporary = directory + "/.creating-\(volume).qcow2"
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        switch source {
        case .blank:
            try await Self.qemuImg(["create", "-q", "-f", "qcow2", temporary, "\(size)G"])
        case .image(let image, let diskFormat, let write):
            try await createOverlay(volume, size: size, image: image, diskFormat: diskFormat, write: write, at: temporary)
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
        try Self.remove(baseLinkPath(volume))
        try removeUnusedBases()
    }

    public func deleteSnapshot(_ snapshot: SnapshotID) async throws {
        try Self.remove(snapshotPath(snapshot))
    }

    public func connectionInfo(_ volume: VolumeID) -> VolumeAttachment.ConnectionInfo {
        VolumeAttachment.ConnectionInfo(driverVolumeType: "file", path: volumePath(volume), format: "qcow2")
    }

    /// An overlay of `size` GiB at `path` on the image's base, through the volume's link to it. The base is made when
    /// missing (or when the last volume using it took it away meanwhile: the link then fails, and it is made again).
    private func createOverlay(
        _ volume: VolumeID, size: Int, image: ImageID, diskFormat: String?, write: @Sendable (String) async throws -> Void, at path: String
    ) async throws {
        let link = baseLinkPath(volume)
        do {
            for attempt in 1...3 {
                if !FileManager.default.fileExists(atPath: basePath(image)) {
                    try await createBase(image, diskFormat: diskFormat, write: write, scratch: "\(volume)")
                }
                try? FileManager.default.removeItem(atPath: link)
                do {
                    try FileManager.default.linkItem(atPath: basePath(image), toPath: link)
                    break
                } catch where attempt < 3 {
                    continue
                }
            }
            guard let virtual = (try await Self.info(link, format: ["-f", "qcow2"])["virtual-size"] as? NSNumber)?.intValue else {
                throw VolumeBackendError("qemu-img info gave no virtual-size for \(link)")
            }
            guard virtual <= size << 30 else { throw VolumeBackendError("image \(image) is \(virtual) bytes, larger than the volume's \(size) GiB") }
            // Named relative to the overlay (both are in this directory), so the data directory may move.
            try await Self.qemuImg(["create", "-q", "-f", "qcow2", "-b", (link as NSString).lastPathComponent, "-F", "qcow2", path, "\(size)G"])
        } catch {
            try? FileManager.default.removeItem(atPath: link)
            try? removeUnusedBases()
            throw error
        }
    }

    /// The image's data converted to a standalone qcow2 file at its base path. An image whose header names a backing
    /// file is refused: qemu-img would copy that file's data in, and the header may name any file of the host.
    private func createBase(_ image: ImageID, diskFormat: String?, write: @Sendable (String) async throws -> Void, scratch name: String) async throws {
        let data = directory + "/.image-\(name)"
        let converted = directory + "/.base-\(name).qcow2"
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: converted)
        }
        try await write(data)
        let format = diskFormat.flatMap(Self.qemuFormat).map { ["-f", $0] } ?? []
        if let backing = try await Self.info(data, format: format)["backing-filename"] as? String {
            throw VolumeBackendError("image \(image) refers to a backing file (\(backing)); such images are refused")
        }
        try await Self.qemuImg(["convert", "-q"] + format + ["-O", "qcow2", data, converted])
        do {
            try FileManager.default.moveItem(atPath: converted, toPath: basePath(image))
        } catch where FileManager.default.fileExists(atPath: basePath(image)) {
            // Another volume of the same image made it meanwhile.
        }
    }

    /// Removes the bases no volume links to any more (a base's only link is then its own name).
    private func removeUnusedBases() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) where name.hasPrefix("base-") && name.hasSuffix(".qcow2") {
            let path = directory + "/" + name
            if (try FileManager.default.attributesOfItem(atPath: path)[.referenceCount] as? NSNumber)?.intValue == 1 {
                try Self.remove(path)
            }
        }
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
