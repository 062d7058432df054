public import Foundation

/// Microseconds since the Unix epoch: how times are stored, identical in SQLite and PostgreSQL.
public struct Timestamp: RawRepresentable, Hashable, Comparable, Sendable, Codable {
    public let rawValue: Int64

    public init(rawValue: Int64) { self.rawValue = rawValue }

    public init(_ date: Date) {
        self.rawValue = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    public var date: Date { Date(timeIntervalSince1970: Double(rawValue) / 1_000_000) }

    public func adding(seconds: Int64) -> Timestamp { Timestamp(rawValue: rawValue + seconds * 1_000_000) }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        self.rawValue = try decoder.singleValueContainer().decode(Int64.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The wire form without fractions, e.g. `2026-11-25T14:53:18Z` (Glance, Nova).
    public var iso8601Seconds: String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt))
    }

    /// Parses `2026-11-25T14:53:18Z` (fractions and offsets accepted).
    public init?(iso8601 text: String) {
        let withFractions = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)
        let plain = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
        guard let date = (try? withFractions.parse(text)) ?? (try? plain.parse(text)) else { return nil }
        self.init(date)
    }

    /// OpenStack's wire form with microseconds, e.g. `2026-11-25T14:53:18.123456Z` (Keystone's tokens).
    public var iso8601Microseconds: String {
        let micros = ((rawValue % 1_000_000) + 1_000_000) % 1_000_000
        let whole = Timestamp(rawValue: rawValue - micros)
        let digits = String(micros)
        return String(whole.iso8601Seconds.dropLast()) + "." + String(repeating: "0", count: 6 - digits.count) + digits + "Z"
    }
}
