internal import Foundation
import Virt

/// What `qemu-img info --output=json` reports about a disk image.
struct DiskImageInfo: Decodable, Sendable {
    var format: String
    var virtualSize: Int64
    var backingFilename: String?

    enum CodingKeys: String, CodingKey {
        case format
        case virtualSize = "virtual-size"
        case backingFilename = "backing-filename"
    }

    /// QEMU's name for an image service `disk_format`; nil for formats that are not disk images QEMU can back a
    /// root disk with (`iso`, `ami`, …).
    static func qemuFormat(diskFormat: String) -> String? {
        switch diskFormat {
        case "qcow2", "raw", "vmdk", "vdi", "vhdx": diskFormat
        case "vhd": "vpc"
        default: nil
        }
    }

    /// Reads `path` as a `format` image (never probed: a raw image could pose as another format).
    static func read(_ path: String, format: String, imageTool: String) async throws -> DiskImageInfo {
        let json = try await ExternalTool.run([imageTool, "info", "-f", format, "--output=json", path])
        do {
            return try JSONDecoder().decode(DiskImageInfo.self, from: Data(json.utf8))
        } catch {
            throw DriverError.failed("\(imageTool) info gave an unreadable report for \(path): \(error)")
        }
    }
}
