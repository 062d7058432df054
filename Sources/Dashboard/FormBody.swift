import Foundation
import Hummingbird

/// An `application/x-www-form-urlencoded` body (what a page's form posts): each field's values, in order.
struct FormBody {
    private(set) var fields: [String: [String]] = [:]

    /// Forms are small: a body over 64 KiB (a user-data field's limit) is refused.
    static let limit = 64 * 1024

    init(text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            fields[name, default: []].append(parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    static func read(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: limit)
        return FormBody(text: String(buffer: buffer))
    }

    private static func decode(_ text: Substring) -> String {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
    }

    subscript(name: String) -> String? { fields[name]?.first }

    /// A field's value, trimmed; nil when absent or blank.
    func text(_ name: String) -> String? {
        guard let value = self[name]?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    func all(_ name: String) -> [String] { fields[name] ?? [] }

    /// Each field's first value, but the form token and passwords (what a refused form is filled with again).
    var retyped: [String: String] {
        fields.compactMapValues(\.first).filter { $0.key != "csrf" && !$0.key.contains("password") }
    }
}
