/// A volume attached to an instance: Nova's volume block device mapping, with the volume service's attachment.
public struct InstanceVolumeAttachment: Sendable, Codable, Equatable {
    /// The mapping's own id (`bdm_uuid`, 2.89+).
    public var id: String
    public var volumeId: VolumeID
    /// The volume service's attachment (`attachment_id`, 2.89+).
    public var attachmentId: AttachmentID
    /// The device name the guest was told (`/dev/vdb`), as Nova reports it; the guest may name it otherwise.
    public var device: String
    /// The user's tag for the device (2.49+).
    public var tag: String?
    /// Whether deleting the server deletes the volume (2.79+).
    public var deleteOnTermination: Bool
    /// 0 for the root disk of a server booted from a volume; nil for a volume attached later.
    public var bootIndex: Int?

    public init(
        id: String, volumeId: VolumeID, attachmentId: AttachmentID, device: String, tag: String? = nil, deleteOnTermination: Bool = false,
        bootIndex: Int? = nil
    ) {
        self.id = id
        self.volumeId = volumeId
        self.attachmentId = attachmentId
        self.device = device
        self.tag = tag
        self.deleteOnTermination = deleteOnTermination
        self.bootIndex = bootIndex
    }
}

extension Instance {
    /// The next free `/dev/vdX` after the root disk, the flavor's ephemeral and swap disks and the attached volumes, as
    /// Nova's libvirt driver names it.
    public var nextVolumeDevice: String {
        var taken: Set<String> = ["/dev/vda"]
        var next = 1
        for _ in 0..<((flavor.ephemeralGB > 0 ? 1 : 0) + (flavor.swapMB > 0 ? 1 : 0)) {
            taken.insert(Self.deviceName(next))
            next += 1
        }
        taken.formUnion(volumeAttachments.map(\.device))
        var index = 1
        while taken.contains(Self.deviceName(index)) { index += 1 }
        return Self.deviceName(index)
    }

    /// `/dev/vda`, `/dev/vdb`, … `/dev/vdz`, `/dev/vdaa`, …
    public static func deviceName(_ index: Int) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        var suffix = ""
        var rest = index
        repeat {
            suffix = String(letters[rest % 26]) + suffix
            rest = rest / 26 - 1
        } while rest >= 0
        return "/dev/vd" + suffix
    }
}

/// A list that decodes as empty when its key is missing: for fields added to records stored as JSON, so rows written
/// before the field existed still read.
@propertyWrapper
public struct EmptyWhenMissing<Element: Sendable & Codable & Equatable>: Sendable, Codable, Equatable {
    public var wrappedValue: [Element]

    public init(wrappedValue: [Element]) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode([Element].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    /// A missing key is an empty list (what makes `EmptyWhenMissing` work in synthesized decoding).
    public func decode<Element: Sendable & Codable & Equatable>(_ type: EmptyWhenMissing<Element>.Type, forKey key: Key) throws -> EmptyWhenMissing<Element> {
        try decodeIfPresent(type, forKey: key) ?? EmptyWhenMissing(wrappedValue: [])
    }
}
