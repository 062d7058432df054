@testable import Database
import Testing

@Suite("Column names")
struct ColumnNamesTests {
    @Test func keysBecomeSnakeCaseWithCapitalRunsAsOneWord() {
        let expected = [
            "id": "id", "host": "host", "memoryMbUsed": "memory_mb_used", "availabilityZone": "availability_zone",
            "imageURLPath": "image_url_path", "isHTTPS": "is_https", "osHashAlgo": "os_hash_algo", "ipv4Address": "ipv4_address",
            "reservedMemoryMb": "reserved_memory_mb", "a": "a",
        ]
        for (key, column) in expected {
            #expect(ColumnNames.column(key) == column, "\(key)")
            // The second answer comes from what was worked out the first time.
            #expect(ColumnNames.column(key) == column, "\(key)")
        }
    }
}
