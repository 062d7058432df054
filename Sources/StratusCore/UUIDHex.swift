import Foundation

/// Random 128-bit identifiers written as 32 lowercase hex digits.
public enum UUIDHex {
    public static func random() -> String {
        UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }
}
