internal import Foundation

/// A guest's serial console log, bounded by rotation: QEMU appends to `console.log`; once it passes `limit` bytes it
/// is copied to `console.log.0` (replacing the older part) and emptied, so the two files hold at most about twice
/// `limit`. QEMU opens the log with `append=on`, so its next write lands at the new end.
struct ConsoleLog: Sendable {
    let path: String
    /// 1 MiB, as in the issue: enough for many boots of a chatty kernel.
    var limit = 1 << 20

    var previousPath: String { path + ".0" }

    /// Rotates the log when it has grown past the limit.
    func rotateIfNeeded() throws {
        let files = FileManager.default
        guard let size = (try? files.attributesOfItem(atPath: path))?[.size] as? Int, size > limit else { return }
        let current = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        defer { try? current.close() }
        let content = try current.readToEnd() ?? Data()
        try content.write(to: URL(fileURLWithPath: previousPath))
        try current.truncate(atOffset: 0)
    }

    /// The log's text, the last `lines` lines when given (older rotated output included as needed).
    func read(lines: Int?) throws -> String {
        try rotateIfNeeded()
        let previous = (try? Data(contentsOf: URL(fileURLWithPath: previousPath))) ?? Data()
        let current = (try? Data(contentsOf: URL(fileURLWithPath: path))) ?? Data()
        let text = String(decoding: previous + current, as: UTF8.self)
        guard let lines else { return text }
        // A final newline leaves an empty last part, which is not a line.
        let parts = text.split(separator: "\n", omittingEmptySubsequences: false)
        return parts.suffix(lines + (text.hasSuffix("\n") ? 1 : 0)).joined(separator: "\n")
    }
}
