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

    /// The wire form without fractions, e.g. `2026-11-25T14:53:18Z` (Glance, Nova). Written by hand: lists show
    /// thousands of these, and a date formatter costs far more than this arithmetic.
    public var iso8601Seconds: String {
        let seconds = rawValue >= 0 ? rawValue / 1_000_000 : (rawValue - 999_999) / 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let time = seconds - days * 86_400
        let (year, month, day) = Self.civil(daysSinceEpoch: days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(20)
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(time / 3600, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(time / 60 % 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(time % 60, digits: 2)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The proleptic Gregorian date of a day counted from 1970-01-01 (years 0 to 9999 only; others never occur here).
    static func civil(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days since 0000-03-01
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // March is 0
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
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
