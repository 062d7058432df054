import Foundation
import StratusCore

/// Writes a config drive: an ISO 9660 image with Joliet and Rock Ridge, volume label `config-2`, holding the
/// metadata files, made by `genisoimage` with the command line Nova uses.
public enum ConfigDrive {
    /// Writes `files` (path in the image, no leading `/`, to bytes; e.g. `MetadataDocuments.configDriveFiles`) as an
    /// ISO image at `isoPath`, replacing any file there.
    public static func write(_ files: [String: [UInt8]], to isoPath: String) async throws {
        let fileManager = FileManager.default
        let staging = fileManager.temporaryDirectory.appendingPathComponent("stratus-config-drive-\(UUID().uuidString)")
        defer { try? fileManager.removeItem(at: staging) }
        for (path, bytes) in files {
            let components = path.split(separator: "/")
            guard !components.isEmpty, !components.contains(where: { $0 == ".." || $0 == "." }) else {
                throw ConfigDriveError.invalidPath(path)
            }
            let url = components.reduce(staging) { $0.appendingPathComponent(String($1)) }
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
        }
        let arguments = [
            "-o", isoPath, "-ldots", "-allow-lowercase", "-allow-multidot", "-l", "-publisher", "Stratus", "-quiet", "-J", "-r",
            "-V", "config-2", staging.path,
        ]
        let result: ToolRun
        do {
            result = try await ToolRun.run("genisoimage", arguments)
        } catch is ToolRun.Missing {
            throw ConfigDriveError.genisoimageMissing
        }
        guard result.status == 0 else { throw ConfigDriveError.genisoimageFailed(status: result.status, stderr: result.errors) }
    }
}

public enum ConfigDriveError: Error, Equatable, CustomStringConvertible {
    case invalidPath(String)
    case genisoimageMissing
    case genisoimageFailed(status: Int32, stderr: String)

    public var description: String {
        switch self {
        case .invalidPath(let path): "config drive path \(path) is not a relative path without . or .."
        case .genisoimageMissing: "genisoimage is not installed (apt-get install genisoimage)"
        case .genisoimageFailed(let status, let stderr):
            "genisoimage exited with status \(status): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines))"
        }
    }
}
