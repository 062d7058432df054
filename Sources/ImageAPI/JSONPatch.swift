import Foundation
import HTTPSupport
import ServiceClients
import StratusCore

/// One operation of an `application/openstack-images-v2.1-json-patch` document.
struct JSONPatchOperation: Decodable, Sendable {
    enum Op: String, Decodable, Sendable { case add, replace, remove }

    let op: Op
    /// The field, from a path like `/name` or `/os_distro` (JSON-pointer escapes `~1`, `~0` undone).
    let field: String
    let value: JSONValue?

    enum CodingKeys: String, CodingKey { case op, path, value }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let opName = try container.decode(String.self, forKey: .op)
        guard let op = Op(rawValue: opName) else {
            throw StratusError.badRequest("Invalid operation: '\(opName.prefix(32))'. It must be one of add, replace, remove.")
        }
        self.op = op
        let path = try container.decode(String.self, forKey: .path)
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].isEmpty, !parts[1].isEmpty else {
            throw StratusError.badRequest("Invalid JSON pointer for this resource: '\(path.prefix(64))'.")
        }
        field = parts[1].replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        // `"value": null` is a value (a null name); only a missing key is none.
        value = container.contains(.value) ? try container.decode(JSONValue.self, forKey: .value) : nil
        if op != .remove && value == nil {
            throw StratusError.badRequest("Operation '\(opName)' on '\(path.prefix(64))' needs a value.")
        }
    }

    /// Applies the operation to `image`.
    func apply(to image: inout Image, auth: AuthContext) throws {
        switch op {
        case .remove:
            try ImageMutation.remove(field, from: &image)
        case .replace where !ImageFields.base.contains(field) && image.properties[field] == nil:
            throw StratusError.conflict("Property \(field.prefix(64)) does not exist.")
        case .add, .replace:
            try ImageMutation.set(field, value!, on: &image, auth: auth, creating: false)
        }
    }

    /// The media types Glance accepts for PATCH.
    static let mediaTypes: Set<String> = ["application/openstack-images-v2.1-json-patch", "application/openstack-images-v2.0-json-patch"]
}
