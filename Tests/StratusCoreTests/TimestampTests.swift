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
