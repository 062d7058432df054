import Foundation
import StratusCore

/// Field checks shared by the identity resources, with Keystone's limits.
enum Validation {
    /// A name: not blank, at most `maxLength` characters.
    static func name(_ value: String, field: String, maxLength: Int = 255) throws -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else {
            throw StratusError.badRequest("Invalid input for field '\(field)': the name must not be empty.")
        }
        guard value.count <= maxLength else {
            throw StratusError.badRequest("Invalid input for field '\(field)': '\(value.prefix(20))...' is too long (maximum \(maxLength) characters).")
        }
        return value
    }

    /// Free text (descriptions) up to a bound.
    static func text(_ value: String?, field: String, maxLength: Int = 65_535) throws -> String? {
        guard let value else { return nil }
        guard value.count <= maxLength else {
            throw StratusError.badRequest("Invalid input for field '\(field)': the value is too long (maximum \(maxLength) characters).")
        }
        return value
    }

    /// A password: 1 to 4096 characters (bounded so the KDF cannot be made to chew on megabytes).
    static func password(_ value: String, field: String) throws -> String {
        guard !value.isEmpty, value.utf8.count <= 4096 else {
            throw StratusError.badRequest("Invalid input for field '\(field)': a password must have 1 to 4096 bytes.")
        }
        return value
    }
}
