internal import Foundation
public import StratusCore
public import Virt

/// Root disks: created on the cached image, copied for snapshots, grown for resizes; the flavor's ephemeral and swap
/// disks beside them (all with `qemu-img`).
extension QemuDriver {
    /// A qcow2 overlay on the cached image, of the flavor's root disk size (the image's own size for a flavor with
    /// none). Refuses what is not a disk image of its recorded format, an image with a backing file of its own (it
    /// could name any file of the host), and a root disk smaller than the image.
    func createRootDisk(_ guest: GuestSpec, files: InstanceFiles, image: String, diskFormat: String) async throws {
        let imageName = guest.imageId.map { "Image \($0)" } ?? "The image"
        guard let format = DiskImageInfo.qemuFormat(diskFormat: diskFormat) else {
            throw DriverError.failed("\(imageName) has disk format '\(diskFormat)'; the QEMU driver boots qcow2, raw, vmdk, vdi, vhd and vhdx images.")
        }
        let info: DiskImageInfo
        do {
            info = try await DiskImageInfo.read(image, format: format, imageTool: settings.imageTool)
        } catch let error as DriverError {
            throw DriverError.failed("\(imageName) is not a valid \(diskFormat) disk image: \(error.description)")
        }
        if let backing = info.backingFilename {
            throw DriverError.failed("\(imageName) refers to a backing file (\(backing)); such images are refused.")
        }
        let size = guest.rootGB > 0 ? Int64(guest.rootGB) << 30 : info.virtualSize
        guard size >= info.virtualSize else {
            throw DriverError.failed(
                "Flavor's disk is too small for requested image. Flavor disk is \(size) bytes, image is \(info.virtualSize) bytes."
            )
        }
        try await ExternalTool.run([settings.imageTool, "create", "-q", "-f", "qcow2", "-b", image, "-F", format, files.disk, String(size)])
    }

    /// The flavor's ephemeral disk (`disk.eph0`, `ephemeralGB`) and swap disk (`disk.swap`, `swapMB`): made at their
    /// sizes when missing, grown when smaller, never shrunk (a revert keeps the larger disks, as it keeps the root disk).
    /// They are blank qcow2 images: Nova formats the ephemeral disk (ext4 or vfat) and the swap disk (mkswap) on the
    /// host; here the guest formats them itself.
    func growFlavorDisks(_ guest: GuestSpec, files: InstanceFiles) async throws {
        for (path, size) in [(files.ephemeralDisk, Int64(guest.ephemeralGB) << 30), (files.swapDisk, Int64(guest.swapMB) << 20)] where size > 0 {
            guard FileManager.default.fileExists(atPath: path) else {
                try await ExternalTool.run([settings.imageTool, "create", "-q", "-f", "qcow2", path, String(size)])
                continue
            }
            if size > (try await DiskImageInfo.read(path, format: "qcow2", imageTool: settings.imageTool)).virtualSize {
                try await ExternalTool.run([settings.imageTool, "resize", "-q", "-f", "qcow2", path, String(size)])
            }
        }
    }

    /// A standalone copy of the root disk, in the image's own format (qcow2 unless it was raw, so the image service's
    /// record, which takes the original image's format, is right). A running guest is paused for the copy, so the
    /// disk is consistent, and resumed after.
    public func snapshot(_ instance: InstanceID, to path: String) async throws -> String {
        let files = try existing(instance)
        let stored = try readGuest(files)
        guard !stored.volumes.contains(where: \.isRoot) else {
            throw DriverError.unsupported("Instance \(instance) boots from a volume: its root disk is the volume's, not a file to copy.")
        }
        let format = stored.spec.imageDiskFormat == "raw" ? "raw" : "qcow2"
        var paused = false
        if process(files) != nil {
            paused = try await qmp(files) { qmp in
                guard try await qmp.runStatus() == "running" else { return false }
                try await qmp.execute("stop")
                return true
            }
        }
        do {
            // -U: QEMU holds the image's lock while it runs, even paused.
            try await ExternalTool.run([settings.imageTool, "convert", "-U", "-f", "qcow2", "-O", format, files.disk, path])
        } catch {
            if paused { try? await qmp(files) { qmp in _ = try await qmp.execute("cont") } }
            throw error
        }
        if paused { try await qmp(files) { qmp in _ = try await qmp.execute("cont") } }
        return format
    }

    /// The new flavor's memory and vCPUs (QEMU restarted, as a resize on one host does) and its disks grown to its
    /// sizes (never shrunk: a revert keeps the larger disks). A suspended guest is refused: its saved state holds the
    /// old memory size (the compute API allows no resize of a SUSPENDED server either).
    public func resize(_ instance: InstanceID, to spec: GuestSpec) async throws {
        let files = try existing(instance)
        guard !isSuspended(files) else { throw DriverError.invalidPowerState(instance, .suspended, "resize") }
        var guest = try readGuest(files)
        let running = process(files)
        if let running { try await shutDown(running, files: files) }
        // A root volume keeps its own size: only the volume service resizes it.
        if !guest.volumes.contains(where: \.isRoot) {
            let disk = try await DiskImageInfo.read(files.disk, format: "qcow2", imageTool: settings.imageTool)
            if Int64(spec.rootGB) << 30 > disk.virtualSize {
                try await ExternalTool.run([settings.imageTool, "resize", "-q", "-f", "qcow2", files.disk, "\(spec.rootGB)G"])
            }
        }
        try await growFlavorDisks(spec, files: files)
        guest.spec.vcpus = spec.vcpus
        guest.spec.memoryMB = spec.memoryMB
        guest.spec.rootGB = spec.rootGB
        guest.spec.ephemeralGB = spec.ephemeralGB
        guest.spec.swapMB = spec.swapMB
        try writeGuest(guest, to: files)
        if running != nil {
            let resized = guest
            try await limiter.run { try await start(resized, files: files) }
        }
    }
}
