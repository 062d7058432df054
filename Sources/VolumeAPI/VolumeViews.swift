import HTTPSupport
import ServiceClients
import StratusCore

/// The wire form of each resource: Cinder's field names and value shapes (api-ref v3), as dictionaries so that list
/// requests can filter and sort on any field.
struct VolumeViews {
    /// `http://HOST:PORT/volume`
    let baseURL: String
    let version: APIVersion
    let isAdmin: Bool

    /// Cinder's time format: microseconds, no zone.
    static func time(_ timestamp: Timestamp?) -> JSONValue {
        timestamp.map { .string(String($0.iso8601Microseconds.dropLast())) } ?? .null
    }

    static func string(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    static func int(_ number: Int) -> JSONValue { .number(Double(number)) }

    static func strings(_ dictionary: [String: String]) -> JSONValue { .object(dictionary.mapValues(JSONValue.string)) }

    /// Cinder's `self` and `bookmark` links.
    func links(_ collection: String, _ id: String, project: ProjectID) -> JSONValue {
        .array([
            .object(["href": .string("\(baseURL)/v3/\(project)/\(collection)/\(id)"), "rel": .string("self")]),
            .object(["href": .string("\(baseURL)/\(project)/\(collection)/\(id)"), "rel": .string("bookmark")]),
        ])
    }

    func volume(_ volume: Volume, type: VolumeType?, attachments: [VolumeAttachment], backendName: String) -> [String: JSONValue] {
        var view: [String: JSONValue] = [
            "attachments": .array(attachments.map { (attachment: VolumeAttachment) -> JSONValue in
                .object([
                    "server_id": Self.string(attachment.instanceId), "attachment_id": .string(attachment.id.rawValue),
                    "volume_id": .string(volume.id.rawValue), "id": .string(volume.id.rawValue), "host_name": Self.string(attachment.hostName),
                    "device": Self.string(attachment.mountpoint), "attached_at": Self.time(attachment.attachedAt),
                ])
            }),
            "availability_zone": .string(volume.availabilityZone),
            "bootable": .string(volume.bootable ? "true" : "false"),
            "consistencygroup_id": .null,
            "created_at": Self.time(volume.createdAt),
            "description": Self.string(volume.description),
            "encrypted": .bool(false),
            "id": .string(volume.id.rawValue),
            "links": links("volumes", volume.id.rawValue, project: volume.projectId),
            "metadata": Self.strings(volume.metadata),
            "migration_status": .null,
            "multiattach": .bool(false),
            "name": Self.string(volume.name),
            "os-vol-tenant-attr:tenant_id": .string(volume.projectId.rawValue),
            "replication_status": .null,
            "size": Self.int(volume.size),
            "snapshot_id": Self.string(volume.snapshotId?.rawValue),
            "source_volid": Self.string(volume.sourceVolumeId?.rawValue),
            "status": .string(volume.status.rawValue),
            "updated_at": Self.time(volume.updatedAt),
            "user_id": .string(volume.userId.rawValue),
            "volume_type": Self.string(type?.name),
        ]
        if !volume.imageMetadata.isEmpty { view["volume_image_metadata"] = Self.strings(volume.imageMetadata) }
        if isAdmin {
            view["os-vol-host-attr:host"] = .string("stratus@\(backendName)#\(backendName)")
            view["os-vol-mig-status-attr:migstat"] = .null
            view["os-vol-mig-status-attr:name_id"] = .null
        }
        if version >= APIVersion(3, 13) { view["group_id"] = .null }
        if version >= APIVersion(3, 21) { view["provider_id"] = .null }
        if version >= APIVersion(3, 48) { view["shared_targets"] = .bool(false) }
        if version >= APIVersion(3, 48) { view["service_uuid"] = .null }
        if version >= APIVersion(3, 61) { view["cluster_name"] = .null }
        if version >= APIVersion(3, 63) { view["volume_type_id"] = .string(volume.volumeTypeId.rawValue) }
        if version >= APIVersion(3, 65) { view["consumes_quota"] = .bool(true) }
        return view
    }

    /// The list's short form: id, links, name.
    static func summary(_ view: [String: JSONValue]) -> [String: JSONValue] {
        view.filter { ["id", "links", "name"].contains($0.key) }
    }

    func snapshot(_ snapshot: VolumeSnapshot) -> [String: JSONValue] {
        var view: [String: JSONValue] = [
            "created_at": Self.time(snapshot.createdAt),
            "description": Self.string(snapshot.description),
            "id": .string(snapshot.id.rawValue),
            "metadata": Self.strings(snapshot.metadata),
            "name": Self.string(snapshot.name),
            "os-extended-snapshot-attributes:progress": .string(snapshot.status == .available ? "100%" : "0%"),
            "os-extended-snapshot-attributes:project_id": .string(snapshot.projectId.rawValue),
            "size": Self.int(snapshot.size),
            "status": .string(snapshot.status.rawValue),
            "updated_at": Self.time(snapshot.updatedAt),
            "volume_id": .string(snapshot.volumeId.rawValue),
        ]
        if version >= APIVersion(3, 14) { view["group_snapshot_id"] = .null }
        if version >= APIVersion(3, 41) { view["user_id"] = .string(snapshot.userId.rawValue) }
        if version >= APIVersion(3, 65) { view["consumes_quota"] = .bool(true) }
        return view
    }

    /// A snapshot in a short list: Cinder's summary has the same fields but the extended attributes.
    static func snapshotSummary(_ view: [String: JSONValue]) -> [String: JSONValue] {
        view.filter { !$0.key.hasPrefix("os-extended-snapshot-attributes:") }
    }

    func volumeType(_ type: VolumeType) -> [String: JSONValue] {
        var view: [String: JSONValue] = [
            "id": .string(type.id.rawValue),
            "name": .string(type.name),
            "description": Self.string(type.description),
            "is_public": .bool(type.isPublic),
            "os-volume-type-access:is_public": .bool(type.isPublic),
            "qos_specs_id": .null,
        ]
        if isAdmin { view["extra_specs"] = Self.strings(type.extraSpecs) }
        return view
    }

    /// Cinder's attachment view: `summary` for a list, otherwise the detail with mode, times and connection info.
    static func attachment(_ attachment: VolumeAttachment, detail: Bool) -> [String: JSONValue] {
        var view: [String: JSONValue] = [
            "id": .string(attachment.id.rawValue),
            "status": .string(attachment.status.rawValue),
            "instance": string(attachment.instanceId),
            "volume_id": .string(attachment.volumeId.rawValue),
        ]
        guard detail else { return view }
        view["attach_mode"] = .string(attachment.attachMode)
        view["attached_at"] = attachment.attachedAt.map { time($0) } ?? .string("")
        view["detached_at"] = attachment.detachedAt.map { time($0) } ?? .string("")
        view["connection_info"] = attachment.connectionInfo.map { info in
            .object([
                "driver_volume_type": .string(info.driverVolumeType),
                "data": .object([
                    "path": .string(info.path), "format": .string(info.format), "volume_id": .string(attachment.volumeId.rawValue),
                ]),
            ])
        } ?? .object([:])
        return view
    }
}
