internal import Foundation
import StratusCore
import Virt

/// Runs the host's tools (`qemu-img`, `qemu-system-x86_64 --version`) to their end, turning a failure into
/// `DriverError.failed` with the tool's own error text.
enum ExternalTool {
    /// Runs `arguments[0]` (looked up on `PATH`) with the rest as arguments; returns its standard output. A tool that
    /// is missing, or exits with a non-zero status, throws `DriverError.failed` naming it and quoting its stderr.
    @discardableResult
    static func run(_ arguments: [String]) async throws -> String {
        guard let tool = arguments.first else { throw DriverError.failed("no command to run") }
        let result: ToolRun
        do {
            result = try await ToolRun.run(tool, Array(arguments.dropFirst()))
        } catch is ToolRun.Missing {
            throw DriverError.failed("\(tool) is not installed (not found on PATH)")
        } catch {
            throw DriverError.failed("cannot run \(tool): \(error)")
        }
        guard result.status == 0 else {
            let message = result.errors.trimmingCharacters(in: .whitespacesAndNewlines)
            throw DriverError.failed("\(tool) failed (exit status \(result.status)): \(message.isEmpty ? result.output : message)")
        }
        return result.output
    }
}
