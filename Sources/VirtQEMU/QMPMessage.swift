internal import Foundation

/// One line QEMU sends on a QMP socket, parsed.
enum QMPMessage: Sendable, Equatable {
    case greeting(QMPGreeting)
    /// The answer to the command with this `id`: its `return` value or its `error`.
    case reply(id: Int?, Result<QMPValue, ReplyError>)
    case event(QMPEvent)

    /// The `error` member of a failed command's reply.
    struct ReplyError: Error, Sendable, Equatable {
        var errorClass: String
        var description: String
    }

    /// Parses one JSON object; anything else is a `QMPError.protocolViolation`.
    init(parsing line: some Collection<UInt8>) throws {
        let value: QMPValue
        do {
            value = try JSONDecoder().decode(QMPValue.self, from: Data(line))
        } catch {
            throw QMPError.protocolViolation("not JSON: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        guard case .object(let members) = value else {
            throw QMPError.protocolViolation("not a JSON object: \(String(decoding: line.prefix(200), as: UTF8.self))")
        }
        if let greeting = members["QMP"] {
            let version = greeting["version"]?["qemu"]
            let parts = ["major", "minor", "micro"].map { version?[$0]?.intValue.map(String.init) ?? "?" }
            let capabilities: [String] =
                if case .array(let names) = greeting["capabilities"] { names.compactMap(\.stringValue) } else { [] }
            self = .greeting(
                QMPGreeting(
                    version: parts.joined(separator: "."),
                    package: greeting["version"]?["package"]?.stringValue ?? "",
                    capabilities: capabilities
                )
            )
        } else if let name = members["event"]?.stringValue {
            self = .event(QMPEvent(name: name, data: members["data"] ?? .object([:])))
        } else if let returned = members["return"] {
            self = .reply(id: members["id"]?.intValue, .success(returned))
        } else if let error = members["error"] {
            let failure = ReplyError(
                errorClass: error["class"]?.stringValue ?? "GenericError",
                description: error["desc"]?.stringValue ?? ""
            )
            self = .reply(id: members["id"]?.intValue, .failure(failure))
        } else {
            throw QMPError.protocolViolation("unknown QMP message with keys \(members.keys.sorted())")
        }
    }
}
