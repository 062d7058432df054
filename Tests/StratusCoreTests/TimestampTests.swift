import Foundation
import StratusCore
import Testing

@Suite("Timestamps")
struct TimestampTests {
    @Test func wireForms() {
        let time = Timestamp(rawValue: 1_800_000_000_123_456)
        #expect(time.iso8601Seconds == "2027-01-15T08:00:00Z")
        #expect(time.iso8601Microseconds == "2027-01-15T08:00:00.123456Z")
        #expect(Timestamp(rawValue: 1_800_000_000_000_007).iso8601Microseconds == "2027-01-15T08:00:00.000007Z")
        #expect(Timestamp(iso8601: "2027-01-15T08:00:00Z") == Timestamp(rawValue: 1_800_000_000_000_000))
        #expect(Timestamp(iso8601: "yesterday") == nil)
    }

    @Test func secondsMatchFoundationsFormatterAcrossCenturies() {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: false, timeZone: .gmt)
        var random = SystemRandomNumberGenerator()
        // Leap days, century years, the epoch and the second before it, then random times from 1900 to 2400.
        var times: [Int64] = [0, -1, -1_000_000, 951_782_400, 951_868_799, 4_107_542_400, 4_107_628_800, 1_709_164_800, -2_208_988_800]
        for _ in 0..<2000 { times.append(Int64.random(in: -2_208_988_800...13_569_465_600, using: &random)) }
        for seconds in times {
            let time = Timestamp(rawValue: seconds * 1_000_000 + Int64.random(in: 0..<1_000_000, using: &random))
            #expect(time.iso8601Seconds == time.date.formatted(style), "\(seconds)")
        }
    }
}

@Suite("Identifiers")
struct IdentifierTests {
    @Test func generatedIdsHaveTheirServicesShapes() {
        let keystone = UserID.generate()
        #expect(keystone.rawValue.count == 32 && keystone.rawValue.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        let glance = ImageID.generateUUID()
        #expect(glance.rawValue.count == 36 && glance.rawValue.filter { $0 == "-" }.count == 4)
        #expect(UserID.generate() != keystone)
    }

    @Test func errorsCarryTheirStatus() {
        #expect(StratusError.notFound(kind: "user", id: "u1").fault == (404, "Could not find user: u1."))
        #expect(StratusError.conflict("taken").fault.status == 409)
        #expect(StratusError.unavailable("later").fault.status == 503)
    }
}
