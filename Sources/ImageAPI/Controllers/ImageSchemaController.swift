import HTTPSupport
import Hummingbird
import ServiceClients
import StratusCore

/// `/v2/schemas/image(s)` and `/v2/schemas/member(s)`: the JSON schemas clients read to build requests.
struct ImageSchemaController: Sendable {
    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("schemas/image") { _, _ in try JSONResponse.make(Self.image) }
        group.get("schemas/images") { _, _ in try JSONResponse.make(Self.images) }
        group.get("schemas/member") { _, _ in try JSONResponse.make(Self.member) }
        group.get("schemas/members") { _, _ in try JSONResponse.make(Self.members) }
    }

    private static func property(_ type: [String], _ description: String, readOnly: Bool = false, extra: [String: JSONValue] = [:]) -> JSONValue {
        var object: [String: JSONValue] = [
            "type": type.count == 1 ? .string(type[0]) : .array(type.map(JSONValue.string)),
            "description": .string(description),
        ]
        if readOnly { object["readOnly"] = .bool(true) }
        return .object(object.merging(extra) { $1 })
    }

    private static func enumeration(_ values: [String], nullable: Bool) -> [String: JSONValue] {
        ["enum": .array((nullable ? [JSONValue.null] : []) + values.map(JSONValue.string))]
    }

    static let imageProperties: [String: JSONValue] = [
        "id": property(["string"], "An identifier for the image"),
        "name": property(["null", "string"], "Descriptive name for the image", extra: ["maxLength": .number(255)]),
        "status": property(["string"], "Status of the image", readOnly: true,
                           extra: enumeration(["queued", "saving", "active", "killed", "deleted", "deactivated"], nullable: false)),
        "visibility": property(["string"], "Scope of image accessibility", extra: enumeration(Image.Visibility.allCases.map(\.rawValue), nullable: false)),
        "protected": property(["boolean"], "If true, image will not be deletable."),
        "os_hidden": property(["boolean"], "If true, image will not appear in default image list response."),
        "checksum": property(["null", "string"], "md5 hash of image contents.", readOnly: true),
        "os_hash_algo": property(["null", "string"], "Algorithm to calculate the os_hash_value", readOnly: true),
        "os_hash_value": property(["null", "string"], "Hexdigest of the image contents using the algorithm specified by the os_hash_algo", readOnly: true),
        "owner": property(["null", "string"], "Owner of the image"),
        "size": property(["null", "integer"], "Size of image file in bytes", readOnly: true),
        "virtual_size": property(["null", "integer"], "Virtual size of image in bytes", readOnly: true),
        "container_format": property(["null", "string"], "Format of the container", extra: enumeration(Image.containerFormats.sorted(), nullable: true)),
        "disk_format": property(["null", "string"], "Format of the disk", extra: enumeration(Image.diskFormats.sorted(), nullable: true)),
        "created_at": property(["string"], "Date and time of image registration", readOnly: true),
        "updated_at": property(["string"], "Date and time of the last image modification", readOnly: true),
        "tags": .object(["type": .string("array"), "description": .string("List of strings related to the image"),
                         "items": .object(["type": .string("string"), "maxLength": .number(255)])]),
        "min_ram": property(["integer"], "Amount of ram (in MB) required to boot image."),
        "min_disk": property(["integer"], "Amount of disk space (in GB) required to boot image."),
        "self": property(["string"], "An image self url", readOnly: true),
        "file": property(["string"], "An image file url", readOnly: true),
        "schema": property(["string"], "An image schema url", readOnly: true),
    ]

    static let image: JSONValue = .object([
        "name": .string("image"),
        "properties": .object(imageProperties),
        "additionalProperties": .object(["type": .string("string")]),
        "links": .array([
            .object(["rel": .string("self"), "href": .string("{self}")]),
            .object(["rel": .string("enclosure"), "href": .string("{file}")]),
            .object(["rel": .string("describedby"), "href": .string("{schema}")]),
        ]),
    ])

    static let images: JSONValue = .object([
        "name": .string("images"),
        "properties": .object([
            "images": .object(["type": .string("array"), "items": image]),
            "schema": .object(["type": .string("string")]),
            "first": .object(["type": .string("string")]),
            "next": .object(["type": .string("string")]),
        ]),
        "links": .array([
            .object(["rel": .string("first"), "href": .string("{first}")]),
            .object(["rel": .string("next"), "href": .string("{next}")]),
            .object(["rel": .string("describedby"), "href": .string("{schema}")]),
        ]),
    ])

    static let member: JSONValue = .object([
        "name": .string("member"),
        "properties": .object([
            "image_id": property(["string"], "An identifier for the image"),
            "member_id": property(["string"], "An identifier for the image member (tenantId)"),
            "status": property(["string"], "The status of this image member", extra: enumeration(ImageMember.Status.allCases.map(\.rawValue), nullable: false)),
            "created_at": property(["string"], "Date and time of image member creation"),
            "updated_at": property(["string"], "Date and time of last modification of image member"),
            "schema": property(["string"], "An image member schema url", readOnly: true),
        ]),
    ])

    static let members: JSONValue = .object([
        "name": .string("members"),
        "properties": .object([
            "members": .object(["type": .string("array"), "items": member]),
            "schema": .object(["type": .string("string")]),
        ]),
        "links": .array([.object(["rel": .string("describedby"), "href": .string("{schema}")])]),
    ])
}
