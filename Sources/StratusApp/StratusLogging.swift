import Foundation
public import Logging

/// Process-wide logging set-up and small host facts the executable asks for.
public enum StratusLogging {
    /// A logger writing to standard error; level from `STRATUS_LOG_LEVEL` (default info).
    public static func logger(_ label: String) -> Logger {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["STRATUS_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return logger
    }

    /// True when an executable of that name is on PATH.
    public static func commandExists(_ name: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/\(name)") }
    }
}

/// Lines for the operator on standard output, written at once (not buffered), so scripts see them immediately.
public enum Console {
    /// A closed standard output (the reader went away) loses the line instead of stopping the process.
    public static func line(_ text: String) {
        try? FileHandle.standardOutput.write(contentsOf: Data((text + "\n").utf8))
    }
}
