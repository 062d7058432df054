import Foundation
import HTTPSupport
import ServiceClients
import StratusCore

/// Reads a request object's fields with Nova's schema-validation wording: a wrong type or value is a 400 that
/// names the field, and (where Nova's schemas forbid them) fields nobody read are refused.
struct BodyReader {
    private let values: [String: JSONValue]
    private var unread: Set<String>
    let path: String

    /// The object under `key` in `body`; 400 when it is missing or not an object.
    init(_ body: [String: JSONValue], key: String) throws {
        guard case .object(let values)? = body[key] else {
            throw StratusError.badRequest("Invalid input for field/attribute \(key). Value: None. '\(key)' is a required property")
        }
        self.init(values, path: key)
    }

    init(_ values: [String: JSONValue], path: String) {
        self.values = values
        self.unread = Set(values.keys)
        self.path = path
    }

    func contains(_ key: String) -> Bool { values[key] != nil }

    mutating func raw(_ key: String) -> JSONValue? {
        unread.remove(key)
        return values[key]
    }

    static func invalid(_ field: String, _ value: JSONValue, _ reason: String) -> StratusError {
        .badRequest("Invalid input for field/attribute \(field). Value: \(value.shownInMessage). \(reason)")
    }

    /// A string of 1 to `maxLength` characters (0 allowed when `allowEmpty`).
    mutating func string(_ key: String, maxLength: Int = 255, allowEmpty: Bool = false) throws -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let text) = value else { throw Self.invalid(key, value, "\(value.shownInMessage) is not of type 'string'") }
        guard allowEmpty || !text.isEmpty else { throw Self.invalid(key, value, "'' is too short") }
        guard text.count <= maxLength else { throw Self.invalid(key, value, "'\(text.prefix(32))...' is too long") }
        return text
    }

    /// A string or null (`.some(nil)`).
    mutating func nullableString(_ key: String, maxLength: Int = 255) throws -> String?? {
        if case .null? = values[key] {
            unread.remove(key)
            return .some(nil)
        }
        return try string(key, maxLength: maxLength, allowEmpty: true).map { .some($0) }
    }

    /// An integer (or integer string, as Nova's schemas accept) in `range`.
    mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let value = raw(key) else { return nil }
        let number: Int? = switch value {
        case .number(let number) where number.rounded() == number && abs(number) < 1e15: Int(number)
        case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
        guard let number else { throw Self.invalid(key, value, "\(value.shownInMessage) is not of type 'integer', 'string'") }
        guard range.contains(number) else {
            throw Self.invalid(key, value, number < range.lowerBound ? "\(number) is less than the minimum of \(range.lowerBound)"
                                                                   : "\(number) is greater than the maximum of \(range.upperBound)")
        }
        return number
    }

    mutating func bool(_ key: String) throws -> Bool? {
        guard let value = raw(key) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text) where ["true", "1", "yes", "on"].contains(text.lowercased()): return true
        case .string(let text) where ["false", "0", "no", "off"].contains(text.lowercased()): return false
        default: throw Self.invalid(key, value, "\(value.shownInMessage) is not of type 'boolean', 'string'")
        }
    }

    /// An object whose values are strings (metadata, extra specs).
    mutating func stringMap(_ key: String, maxLength: Int = 255) throws -> [String: String]? {
        guard let value = raw(key) else { return nil }
        guard case .object(let fields) = value else { throw Self.invalid(key, value, "\(value.shownInMessage) is not of type 'object'") }
        var result: [String: String] = [:]
        for (name, field) in fields {
            guard case .string(let text) = field else { throw Self.invalid("\(key)/\(name)", field, "\(field.shownInMessage) is not of type 'string'") }
            guard !name.isEmpty, name.count <= 255, text.count <= maxLength else {
                throw Self.invalid(key, value, "'\(name.prefix(32))' or its value is too long or empty")
            }
            result[name] = text
        }
        return result
    }

    /// 400 for fields nobody read, as Nova's `additionalProperties: false` schemas do.
    func finish() throws {
        guard unread.isEmpty else {
            let names = unread.sorted().map { "'\($0.prefix(64))'" }.joined(separator: ", ")
            throw StratusError.badRequest("Invalid input for field/attribute \(path). Additional properties are not allowed (\(names) \(unread.count == 1 ? "was" : "were") unexpected)")
        }
    }
}
