import HTTPSupport
import HTTPTypes
import ServiceClients
import StratusCore

/// One resource's attributes from a request body (`{"network": {...}}`), read and type-checked the way Neutron's
/// attribute validation does it: a wrong type is a 400 naming the attribute, and attributes nobody read are
/// refused as unrecognized once the reader is finished.
struct Attributes {
    private var values: [String: JSONValue]
    private var unread: Set<String>

    /// The object under `resource` in `body`; 400 when it is missing or not an object.
    init(_ body: [String: JSONValue], resource: String) throws {
        guard case .object(let values)? = body[resource] else {
            throw NeutronError.make(.badRequest, "HTTPBadRequest", "Resource body required: '\(resource)' object is missing.")
        }
        self.values = values
        self.unread = Set(values.keys)
    }

    var isEmpty: Bool { values.isEmpty }

    func contains(_ key: String) -> Bool { values[key] != nil }

    /// The raw value, marking it read; nil when absent.
    mutating func raw(_ key: String) -> JSONValue? {
        unread.remove(key)
        return values[key]
    }

    mutating func string(_ key: String, maxLength: Int = 255) throws -> String? {
        guard let value = raw(key) else { return nil }
        guard case .string(let text) = value else { throw NeutronError.invalidAttribute(key, "\(value.shownInMessage) is not a valid string") }
        guard text.count <= maxLength else {
            throw NeutronError.invalidAttribute(key, "'\(text.prefix(32))...' exceeds maximum length of \(maxLength)")
        }
        return text
    }

    /// A string that may also be JSON null (`gateway_ip: null` means no gateway): `.some(nil)` then.
    mutating func nullableString(_ key: String) throws -> String?? {
        if case .null? = values[key] {
            unread.remove(key)
            return .some(nil)
        }
        return try string(key).map { .some($0) }
    }

    /// Neutron's `convert_to_boolean`: JSON booleans, and the strings and numbers it also accepts.
    mutating func bool(_ key: String) throws -> Bool? {
        guard let value = raw(key) else { return nil }
        switch value {
        case .bool(let flag): return flag
        case .string(let text) where ["true", "1"].contains(text.lowercased()): return true
        case .string(let text) where ["false", "0"].contains(text.lowercased()): return false
        case .number(1): return true
        case .number(0): return false
        default: throw NeutronError.invalidAttribute(key, "\(value.shownInMessage) cannot be converted to boolean")
        }
    }

    mutating func int(_ key: String, in range: ClosedRange<Int>) throws -> Int?? {
        guard let value = raw(key) else { return nil }
        switch value {
        case .null: return .some(nil)
        case .number(let number) where number.rounded() == number && Double(range.lowerBound) <= number && number <= Double(range.upperBound):
            return Int(number)
        case .string(let text) where Int(text).map(range.contains) == true: return Int(text)
        default:
            throw NeutronError.invalidAttribute(key, "\(value.shownInMessage) is not an integer in \(range.lowerBound)..\(range.upperBound)")
        }
    }

    mutating func list(_ key: String) throws -> [JSONValue]? {
        guard let value = raw(key) else { return nil }
        guard case .array(let items) = value else { throw NeutronError.invalidAttribute(key, "\(value.shownInMessage) is not a list") }
        return items
    }

    mutating func stringList(_ key: String) throws -> [String]? {
        try list(key)?.map { item in
            guard case .string(let text) = item else { throw NeutronError.invalidAttribute(key, "\(item.shownInMessage) is not a valid string") }
            return text
        }
    }

    /// Marks attributes Neutron accepts and this service ignores (e.g. `availability_zone_hints`).
    mutating func ignore(_ keys: String...) {
        for key in keys { unread.remove(key) }
    }

    /// 400 when some attribute was never read: Neutron refuses what it does not know.
    func finish() throws {
        guard unread.isEmpty else {
            let names = unread.sorted().map { "'\($0.prefix(64))'" }.joined(separator: ", ")
            throw NeutronError.make(.badRequest, "HTTPBadRequest", "Unrecognized attribute(s) \(names)")
        }
    }

    /// `project_id` (or its old name `tenant_id`): the project a new object is to belong to.
    mutating func projectId() throws -> ProjectID? {
        try (string("project_id") ?? string("tenant_id")).map { ProjectID($0) }
    }
}
