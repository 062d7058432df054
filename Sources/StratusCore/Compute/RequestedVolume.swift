/// A volume block device a boot asked for (Nova's `block_device_mapping_v2` entry with destination `volume`), which
/// the compute host makes into an attachment before it spawns the guest: an existing volume, or a new one from an
/// image, or a blank one.
public struct RequestedVolume: Sendable, Codable, Equatable {
    public enum Source: Sendable, Codable, Equatable {
        case volume(VolumeID)
        case image(ImageID)
        case blank
    }

    public var source: Source
    /// GiB of a new volume (nil for an existing one).
    public var sizeGB: Int?
    /// 0 for the root disk; nil or another index for a data volume.
    public var bootIndex: Int?
    public var deleteOnTermination: Bool
    public var tag: String?

    public init(source: Source, sizeGB: Int? = nil, bootIndex: Int? = nil, deleteOnTermination: Bool = false, tag: String? = nil) {
        self.source = source
        self.sizeGB = sizeGB
        self.bootIndex = bootIndex
        self.deleteOnTermination = deleteOnTermination
        self.tag = tag
    }
}
