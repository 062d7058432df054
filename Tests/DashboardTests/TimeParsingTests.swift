import Foundation
import Testing

@testable import Dashboard

@Suite("Dashboard times")
struct TimeParsingTests {
    @Test(arguments: ["2026-12-07T16:05:34Z", "2026-12-07T16:05:34.000000Z", "2026-12-07T16:05:34", "2000-02-29T00:00:00Z", "1970-01-01T00:00:00Z"])
    func apiTimesAreReadAsUTC(text: String) throws {
        let expected = try Date(String(text.prefix(19)) + "Z", strategy: .iso8601)
        #expect(Dashboard.parseTime(text) == expected)
    }

    @Test(arguments: ["", "2026-12-07", "2026-13-07T16:05:34Z", "2026-12-07 16:05:34", "abcd-12-07T16:05:34Z"])
    func otherTextIsNoTime(text: String) {
        #expect(Dashboard.parseTime(text) == nil)
    }
}
