import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// The object under a request body's resource key (`{"volume": {...}}`), read field by field with Cinder's 400s.
struct RequestBody {
    let fields: [String: JSONValue]

    /// `{resource: {...}}`: 400 when the element is missing or not an object.
    static func read(_ request: Request, _ resource: String, context: StratusRequestContext) async throws -> RequestBody {
        var request = request
        let body = try await request.decodeJSON([String: JSONValue].self, context: context)
        guard case .object(let fields)? = body[resource] else {
            throw StratusError.badRequest("Missing required element '\(resource)' in request body.")
        }
        return RequestBody(fields: fields)
    }

    /// The whole body, for actions (`{"os-extend": {...}}`).
    static func object(_ request: Request, context: StratusRequestContext) async throws -> [String: JSONValue] {
        var request = request
        return try await request.decodeJSON([String: JSONValue].self, context: context)
    }

    func string(_ key: String) throws -> String? {
        switch fields[key] {
        case nil, .null?: return nil
        case .string(let text)?:
            guard text.count <= 255 else { throw invalid(key, .string(text), "is too long") }
            return text
        case let value?: throw invalid(key, value, "is not of type 'string'")
        }
    }

    /// An integer, also given as a string of digits (Cinder accepts `"size": "1"`).
    func int(_ key: String) throws -> Int? {
        switch fields[key] {
        case nil, .null?: return nil
        case .number(let number)? where number.rounded() == number && abs(number) < 1e12: return Int(number)
        case .string(let text)? where Int(text) != nil: return Int(text)
        case let value?: throw invalid(key, value, "is not of type 'integer'")
        }
    }

    func bool(_ key: String) throws -> Bool? {
        switch fields[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case .string(let text)? where ["true", "false", "1", "0", "yes", "no"].contains(text.lowercased()):
            return ["true", "1", "yes"].contains(text.lowercased())
        case let value?: throw invalid(key, value, "is not of type 'boolean'")
        }
    }

    /// A JSON object of strings (metadata).
    func strings(_ key: String) throws -> [String: String]? {
        switch fields[key] {
        case nil, .null?: return nil
        case .object(let pairs)?:
            var result: [String: String] = [:]
            for (name, value) in pairs {
                guard case .string(let text) = value else { throw invalid("\(key)/\(name)", value, "is not of type 'string'") }
                guard !name.isEmpty, name.count <= 255, text.count <= 255 else { throw invalid("\(key)/\(name)", value, "is too long or empty") }
                result[name] = text
            }
            return result
        case let value?: throw invalid(key, value, "is not of type 'object'")
        }
    }

    func object(_ key: String) -> [String: JSONValue]? {
        guard case .object(let value)? = fields[key] else { return nil }
        return value
    }

    private func invalid(_ key: String, _ value: JSONValue, _ problem: String) -> StratusError {
        .badRequest("Invalid input for field/attribute \(key). Value: \(value.shownInMessage). \(value.shownInMessage) \(problem)")
    }
}
