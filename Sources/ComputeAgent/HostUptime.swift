import Foundation

/// The host's uptime line as `uptime` prints it (` 16:09:43 up 8 days, 19:58,  0 users,  load average: 0.86, 0.63,
/// 0.55`), which clients parse; read from /proc, so no tool is needed. The user count is always 0.
enum HostUptime {
    struct Unavailable: Error, CustomStringConvertible {
        let description: String
    }

    static func read(now: Date = Date()) throws -> String {
        guard let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8).split(separator: " ").first.flatMap({ Double($0) }),
              let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8).split(separator: " ").prefix(3)
        else { throw Unavailable(description: "/proc/uptime and /proc/loadavg cannot be read") }
        return line(now: now, uptimeSeconds: Int(uptime), load: load.map(String.init))
    }

    static func line(now: Date, uptimeSeconds: Int, load: [String]) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let clock = calendar.dateComponents([.hour, .minute, .second], from: now)
        let time = [clock.hour ?? 0, clock.minute ?? 0, clock.second ?? 0].map { $0 < 10 ? "0\($0)" : "\($0)" }.joined(separator: ":")
        let days = uptimeSeconds / 86_400
        let hours = uptimeSeconds % 86_400 / 3600
        let minutes = uptimeSeconds % 3600 / 60
        var up = days > 0 ? "\(days) day\(days == 1 ? "" : "s"), " : ""
        up += hours > 0 ? "\(hours):\(minutes < 10 ? "0" : "")\(minutes)" : "\(minutes) min"
        return " \(time) up \(up),  0 users,  load average: \(load.joined(separator: ", "))"
    }
}
