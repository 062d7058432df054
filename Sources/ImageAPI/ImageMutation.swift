import Foundation
import HTTPSupport
import ServiceClients
import StratusCore

/// Setting and removing an image's fields from a create body or a JSON patch, with Glance's rules.
enum ImageMutation {
    /// Sets `key` to `value`; 403 for read-only fields, 400 for values of the wrong type or out of range.
    static func set(_ key: String, _ value: JSONValue, on image: inout Image, auth: AuthContext, creating: Bool) throws {
        if ImageFields.readOnly.contains(key) { throw StratusError.forbidden("Attribute '\(key)' is read-only.") }
        switch key {
        case "id":
            guard creating else { throw StratusError.forbidden("Attribute 'id' is read-only.") }
            let text = try string(value, key)
            guard UUID(uuidString: text) != nil else { throw invalid(key, "'\(text.prefix(64))' is not a UUID") }
            image.id = ImageID(text.lowercased())
        case "owner":
            guard auth.isAdmin else { throw StratusError.forbidden("Only an administrator may set the owner of an image.") }
            image.owner = ProjectID(try bounded(try string(value, key), key, 255))
        case "name":
            image.name = value == .null ? nil : try bounded(try string(value, key), key, 255)
        case "visibility":
            guard let visibility = Image.Visibility(rawValue: try string(value, key)) else {
                throw invalid(key, "must be one of public, private, shared, community")
            }
            try ImagePolicy.checkVisibility(visibility, auth: auth)
            image.visibility = visibility
        case "protected":
            image.protected = try bool(value, key)
        case "os_hidden":
            image.osHidden = try bool(value, key)
        case "disk_format", "container_format":
            guard creating || image.status == .queued else {
                throw StratusError.forbidden("Attribute \(key) can be only replaced for a queued image.")
            }
            let format = value == .null ? nil : try string(value, key)
            let allowed = key == "disk_format" ? Image.diskFormats : Image.containerFormats
            if let format, !allowed.contains(format) {
                throw invalid(key, "'\(format.prefix(64))' is not one of \(allowed.sorted().joined(separator: ", "))")
            }
            if key == "disk_format" { image.diskFormat = format } else { image.containerFormat = format }
        case "min_disk", "min_ram":
            guard case .number(let number) = value, number >= 0, number == number.rounded(), number < 1e15 else {
                throw invalid(key, "must be a non-negative integer")
            }
            if key == "min_disk" { image.minDisk = Int(number) } else { image.minRam = Int(number) }
        case "tags":
            guard case .array(let items) = value else { throw invalid(key, "must be an array of strings") }
            var tags: [String] = []
            for item in items {
                let tag = try bounded(try string(item, key), key, 255)
                if !tags.contains(tag) { tags.append(tag) }
            }
            image.tags = tags
        default:
            guard !key.isEmpty, key.count <= 255 else { throw invalid("property", "names must have 1 to 255 characters") }
            image.properties[key] = try bounded(try string(value, key), key, 65_535)
        }
    }

    /// Removes a custom property (409 when it is not there); base fields cannot be removed (403).
    static func remove(_ key: String, from image: inout Image) throws {
        if ImageFields.base.contains(key) { throw StratusError.forbidden("Attribute '\(key)' can't be removed.") }
        guard image.properties.removeValue(forKey: key) != nil else {
            throw StratusError.conflict("Property \(key.prefix(64)) does not exist.")
        }
    }

    private static func string(_ value: JSONValue, _ key: String) throws -> String {
        guard case .string(let text) = value else { throw invalid(key, "\(value.typeName) is not of type 'string'") }
        return text
    }

    private static func bool(_ value: JSONValue, _ key: String) throws -> Bool {
        guard case .bool(let flag) = value else { throw invalid(key, "\(value.typeName) is not of type 'boolean'") }
        return flag
    }

    private static func bounded(_ text: String, _ key: String, _ maxLength: Int) throws -> String {
        guard text.count <= maxLength else { throw invalid(key, "is longer than \(maxLength) characters") }
        return text
    }

    static func invalid(_ key: String, _ problem: String) -> StratusError {
        .badRequest("Invalid value for '\(key.prefix(64))': \(problem).")
    }
}
