/// An IPv4 or IPv6 address.
///
/// Comparable: IPv4 sorts before IPv6, and within a version by value.
/// Codable as its canonical text; decoding fails for invalid text.
public struct IPAddress: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The IP version.
    public enum Version: Int, Sendable, Codable {
        case v4 = 4
        case v6 = 6

        /// The number of bits in an address: 32 or 128.
        public var bitWidth: Int { self == .v4 ? 32 : 128 }

        /// The largest address value.
        var maxValue: UInt128 { self == .v4 ? UInt128(UInt32.max) : .max }
    }

    public let version: Version

    /// The address as a number (IPv4 in the low 32 bits).
    public let value: UInt128

    /// Requires `value` to fit the version's bit width.
    public init(version: Version, value: UInt128) {
        precondition(value <= version.maxValue, "\(value) does not fit an IPv\(version.rawValue) address")
        self.version = version
        self.value = value
    }

    /// Parses strictly; nil for anything malformed.
    ///
    /// IPv4: a dotted quad of exactly four decimal parts 0-255 without leading zeros.
    /// IPv6: any RFC 4291 text form: eight groups of 1-4 hex digits (either case), at most one "::"
    /// standing for one or more zero groups, and optionally a dotted IPv4 tail ("::ffff:192.0.2.1").
    /// No zone ids, brackets or whitespace.
    public init?(_ text: String) {
        self.init(utf8: Array(text.utf8)[...])
    }

    init?(utf8 bytes: ArraySlice<UInt8>) {
        if bytes.contains(Self.colon) {
            guard let value = Self.parseIPv6(bytes) else { return nil }
            self.init(version: .v6, value: value)
        } else {
            guard let value = Self.parseIPv4(bytes) else { return nil }
            self.init(version: .v4, value: UInt128(value))
        }
    }

    /// The number of bits: 32 or 128.
    public var bitWidth: Int { version.bitWidth }

    /// Canonical text: an IPv4 dotted quad, or IPv6 per RFC 5952 (lowercase, no leading zeros,
    /// the first longest run of two or more zero groups as "::", IPv4-mapped with a dotted tail).
    public var description: String {
        let low32 = UInt32(truncatingIfNeeded: value)
        switch version {
        case .v4:
            return Self.dottedQuad(low32)
        case .v6:
            if value >> 32 == 0xffff { return "::ffff:" + Self.dottedQuad(low32) }
            let groups = (0..<8).map { UInt16(truncatingIfNeeded: value >> (112 - 16 * $0)) }
            let hex = groups.map { String($0, radix: 16) }
            guard let run = Self.longestZeroRun(groups) else { return hex.joined(separator: ":") }
            return hex[..<run.lowerBound].joined(separator: ":") + "::" + hex[run.upperBound...].joined(separator: ":")
        }
    }

    /// The address `offset` further on; nil if that passes the last address of its version.
    public func advanced(by offset: UInt128) -> IPAddress? {
        let (sum, overflow) = value.addingReportingOverflow(offset)
        guard !overflow, sum <= version.maxValue else { return nil }
        return IPAddress(version: version, value: sum)
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        (lhs.version.rawValue, lhs.value) < (rhs.version.rawValue, rhs.value)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "Invalid IP address: \(text)")
        }
        self = address
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

// MARK: - Parsing and formatting

extension IPAddress {
    private static let colon = UInt8(ascii: ":")
    private static let dot = UInt8(ascii: ".")

    /// An ASCII decimal number up to `limit`, without sign or leading zeros ("0" itself is fine).
    static func parseDecimal(_ digits: ArraySlice<UInt8>, upTo limit: Int) -> Int? {
        guard let first = digits.first, first != UInt8(ascii: "0") || digits.count == 1 else { return nil }
        var number = 0
        for byte in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            number = number * 10 + Int(byte - UInt8(ascii: "0"))
            guard number <= limit else { return nil }
        }
        return number
    }

    private static func parseIPv4(_ bytes: ArraySlice<UInt8>) -> UInt32? {
        let parts = bytes.split(separator: dot, omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var value: UInt32 = 0
        for part in parts {
            guard let octet = parseDecimal(part, upTo: 255) else { return nil }
            value = value << 8 | UInt32(octet)
        }
        return value
    }

    private static func parseIPv6(_ bytes: ArraySlice<UInt8>) -> UInt128? {
        let groups: [UInt16]
        if let gap = bytes.indices.first(where: { bytes[$0...].starts(with: [colon, colon]) }) {
            // A second "::" leaves an empty group in the tail, which parseGroups rejects.
            guard let head = parseGroups(bytes[..<gap], allowsIPv4Tail: false),
                  let tail = parseGroups(bytes[(gap + 2)...], allowsIPv4Tail: true),
                  head.count + tail.count < 8
            else { return nil }
            groups = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = parseGroups(bytes, allowsIPv4Tail: true), all.count == 8 else { return nil }
            groups = all
        }
        return groups.reduce(0) { $0 << 16 | UInt128($1) }
    }

    /// Colon-separated hex groups; the last may be a dotted IPv4 address, counting as two groups.
    private static func parseGroups(_ section: ArraySlice<UInt8>, allowsIPv4Tail: Bool) -> [UInt16]? {
        guard !section.isEmpty else { return [] }
        let fields = section.split(separator: colon, omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (position, field) in fields.enumerated() {
            if allowsIPv4Tail, position == fields.count - 1, field.contains(dot) {
                guard let ipv4 = parseIPv4(field) else { return nil }
                groups += [UInt16(ipv4 >> 16), UInt16(truncatingIfNeeded: ipv4)]
            } else {
                guard let group = parseHexGroup(field) else { return nil }
                groups.append(group)
            }
        }
        return groups
    }

    private static func parseHexGroup(_ digits: ArraySlice<UInt8>) -> UInt16? {
        guard (1...4).contains(digits.count) else { return nil }
        var group: UInt16 = 0
        for byte in digits {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            group = group << 4 | UInt16(digit)
        }
        return group
    }

    private static func dottedQuad(_ value: UInt32) -> String {
        (0..<4).map { String(UInt8(truncatingIfNeeded: value >> (24 - 8 * $0))) }.joined(separator: ".")
    }

    /// The first longest run of two or more zero groups.
    private static func longestZeroRun(_ groups: [UInt16]) -> Range<Int>? {
        var best: Range<Int>?
        var start = 0
        while start < groups.count {
            guard groups[start] == 0 else {
                start += 1
                continue
            }
            var end = start
            while end < groups.count, groups[end] == 0 { end += 1 }
            if end - start >= 2, end - start > best?.count ?? 0 { best = start..<end }
            start = end
        }
        return best
    }
}
