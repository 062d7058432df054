import HTTPSupport
import ServiceClients
import StratusCore

/// Nova's `block_device_mapping_v2`, read and checked against its schema: the image a local root disk is made from,
/// and the volumes the server is to have (an existing one, or a new one made from an image or blank), which its host
/// attaches before the guest starts. Local blank disks (swap, ephemeral) come from the flavor here and are accepted
/// as such; volume snapshots as a source are refused.
struct BlockDeviceMappings {
    /// The image of a local root disk (`source_type` image, `destination_type` local, `boot_index` 0).
    var localImage: String?
    var volumes: [RequestedVolume] = []

    /// The root disk is a volume.
    var bootsFromVolume: Bool { volumes.contains { $0.bootIndex == 0 } }

    static let sourceTypes = ["volume", "image", "snapshot", "blank"]

    init(_ value: JSONValue?) throws {
        guard let value else { return }
        guard case .array(let items) = value else {
            throw BodyReader.invalid("block_device_mapping_v2", value, "\(value.shownInMessage) is not of type 'array'")
        }
        var bootIndexes: [Int] = []
        for item in items {
            guard case .object(let fields) = item else { throw BodyReader.invalid("block_device_mapping_v2", item, "is not of type 'object'") }
            var reader = BodyReader(fields, path: "block_device_mapping_v2")
            let source = try reader.string("source_type") ?? "blank"
            guard Self.sourceTypes.contains(source) else {
                throw BodyReader.invalid("source_type", .string(source), "'\(source.prefix(32))' is not one of \(Self.sourceTypes)")
            }
            let destination = try reader.string("destination_type") ?? (source == "volume" ? "volume" : "local")
            guard ["local", "volume"].contains(destination) else {
                throw BodyReader.invalid("destination_type", .string(destination), "'\(destination.prefix(32))' is not one of ['local', 'volume']")
            }
            let uuid = try reader.string("uuid")
            let bootIndex = try Self.bootIndex(reader.raw("boot_index"))
            let size = try reader.int("volume_size", in: 0...1_000_000)
            let deleteOnTermination = try reader.bool("delete_on_termination") ?? false
            let tag = try reader.string("tag", maxLength: 60)
            for ignored in ["device_name", "device_type", "disk_bus", "guest_format", "volume_type", "no_device"] { _ = reader.raw(ignored) }
            try reader.finish()
            if let bootIndex, bootIndex >= 0 { bootIndexes.append(bootIndex) }

            switch (source, destination) {
            case ("image", "local"):
                guard bootIndex == 0 else { throw Self.invalid("Mapping image to local is not supported.") }
                localImage = try Self.required(uuid)
            case ("blank", "local"):
                break  // the flavor's swap or ephemeral disk
            case ("volume", "volume"):
                volumes.append(RequestedVolume(
                    source: .volume(VolumeID(try Self.required(uuid).lowercased())), bootIndex: bootIndex,
                    deleteOnTermination: deleteOnTermination, tag: tag
                ))
            case ("image", "volume"):
                guard let size, size > 0 else { throw Self.invalid("Images with destination_type 'volume' need to have a non-zero size specified") }
                volumes.append(RequestedVolume(
                    source: .image(ImageID(try Self.required(uuid).lowercased())), sizeGB: size, bootIndex: bootIndex,
                    deleteOnTermination: deleteOnTermination, tag: tag
                ))
            case ("blank", "volume"):
                guard let size, size > 0 else { throw Self.invalid("Blank volumes need a non-zero volume_size.") }
                volumes.append(RequestedVolume(source: .blank, sizeGB: size, bootIndex: bootIndex, deleteOnTermination: deleteOnTermination, tag: tag))
            case ("snapshot", _):
                throw Self.invalid("Booting from a volume snapshot is not available in this cloud.")
            default:
                throw Self.invalid("Mapping \(source) to \(destination) is not supported.")
            }
        }
        let volumeIds = volumes.compactMap { if case .volume(let id) = $0.source { id } else { nil } }
        guard Set(volumeIds).count == volumeIds.count else { throw Self.invalid("The same volume is mapped more than once.") }
        guard Set(bootIndexes).count == bootIndexes.count, bootIndexes.isEmpty || bootIndexes.sorted() == Array(0..<bootIndexes.count) else {
            throw Self.bootSequence
        }
    }

    static let bootSequence = invalid("Boot sequence for the instance and image/block device mapping combination is not valid.")

    static func invalid(_ reason: String) -> StratusError { .badRequest("Block Device Mapping is Invalid: \(reason)") }

    private static func required(_ uuid: String?) throws -> String {
        guard let uuid, !uuid.isEmpty else { throw invalid("Missing device UUID.") }
        return uuid
    }

    /// An integer, an integer string or null (no boot index).
    private static func bootIndex(_ value: JSONValue?) throws -> Int? {
        switch value {
        case nil, .null?: return nil
        case .number(let number)? where number.rounded() == number && abs(number) < 1e6: return Int(number)
        case .string(let text)? where Int(text) != nil: return Int(text)
        case let other?: throw BodyReader.invalid("boot_index", other, "\(other.shownInMessage) is not of type 'integer', 'string', 'null'")
        }
    }
}
