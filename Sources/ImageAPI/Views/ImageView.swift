import StratusCore

/// A coding key made at run time (custom image properties are top-level keys).
struct DynamicKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// Glance's image document: the base fields, then each custom property as a top-level string.
struct ImageView: Encodable, Sendable {
    let image: Image

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for (key, value) in image.properties where !ImageFields.base.contains(key) {
            try container.encode(value, forKey: DynamicKey(key))
        }
        func put<T: Encodable>(_ key: String, _ value: T?) throws {
            if let value { try container.encode(value, forKey: DynamicKey(key)) } else { try container.encodeNil(forKey: DynamicKey(key)) }
        }
        try put("id", image.id.rawValue)
        try put("name", image.name)
        try put("status", image.status.rawValue)
        try put("visibility", image.visibility.rawValue)
        try put("protected", image.protected)
        try put("os_hidden", image.osHidden)
        try put("owner", image.owner.rawValue)
        try put("disk_format", image.diskFormat)
        try put("container_format", image.containerFormat)
        try put("size", image.size)
        try put("virtual_size", image.virtualSize)
        try put("checksum", image.checksum)
        try put("os_hash_algo", image.osHashAlgo)
        try put("os_hash_value", image.osHashValue)
        try put("min_disk", image.minDisk)
        try put("min_ram", image.minRam)
        try put("created_at", image.createdAt.iso8601Seconds)
        try put("updated_at", image.updatedAt.iso8601Seconds)
        try put("tags", image.tags)
        try put("self", "/v2/images/\(image.id)")
        try put("file", "/v2/images/\(image.id)/file")
        try put("schema", "/v2/schemas/image")
    }
}

/// `{"images": [...], "first", "schema", "next"?}`
struct ImageList: Encodable, Sendable {
    let images: [ImageView]
    let first: String
    let next: String?
    let schema = "/v2/schemas/images"

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        try container.encode(images, forKey: DynamicKey("images"))
        try container.encode(first, forKey: DynamicKey("first"))
        try container.encode(schema, forKey: DynamicKey("schema"))
        try container.encodeIfPresent(next, forKey: DynamicKey("next"))
    }
}

/// One image member.
struct MemberView: Encodable, Sendable {
    let member: ImageMember

    enum CodingKeys: String, CodingKey {
        case imageId = "image_id", memberId = "member_id", status, createdAt = "created_at", updatedAt = "updated_at", schema
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(member.imageId, forKey: .imageId)
        try container.encode(member.memberId, forKey: .memberId)
        try container.encode(member.status.rawValue, forKey: .status)
        try container.encode(member.createdAt.iso8601Seconds, forKey: .createdAt)
        try container.encode(member.updatedAt.iso8601Seconds, forKey: .updatedAt)
        try container.encode("/v2/schemas/member", forKey: .schema)
    }
}

/// The fields Glance defines itself; everything else on an image is a custom property.
enum ImageFields {
    static let base: Set<String> = [
        "id", "name", "status", "visibility", "protected", "os_hidden", "owner", "disk_format", "container_format", "size",
        "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram", "created_at", "updated_at", "tags",
        "self", "file", "schema", "locations", "direct_url",
    ]
    /// Fields a client may never set.
    static let readOnly: Set<String> = [
        "status", "size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value", "created_at", "updated_at", "self",
        "file", "schema", "direct_url", "locations",
    ]
}
