/// A Glance image: its record; the data lives in an image store.
public struct Image: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable {
        case queued, saving, active, killed, deactivated
    }

    public enum Visibility: String, Sendable, Codable, CaseIterable {
        case `public`, `private`, shared, community
    }

    public var id: ImageID
    public var name: String?
    public var owner: ProjectID
    public var status: Status
    public var visibility: Visibility
    public var protected: Bool
    public var osHidden: Bool
    public var diskFormat: String?
    public var containerFormat: String?
    public var size: Int64?
    public var virtualSize: Int64?
    public var checksum: String?
    public var osHashAlgo: String?
    public var osHashValue: String?
    public var minDisk: Int
    public var minRam: Int
    public var createdAt: Timestamp
    public var updatedAt: Timestamp
    /// Tags, in the order they were added.
    public var tags: [String]
    /// Free-form string properties (`os_distro`, `hw_disk_bus`, ...).
    public var properties: [String: String]

    public init(
        id: ImageID, name: String?, owner: ProjectID, status: Status = .queued, visibility: Visibility = .shared,
        protected: Bool = false, osHidden: Bool = false, diskFormat: String? = nil, containerFormat: String? = nil,
        size: Int64? = nil, virtualSize: Int64? = nil, checksum: String? = nil, osHashAlgo: String? = nil,
        osHashValue: String? = nil, minDisk: Int = 0, minRam: Int = 0, createdAt: Timestamp, updatedAt: Timestamp,
        tags: [String] = [], properties: [String: String] = [:]
    ) {
        self.id = id
        self.name = name
        self.owner = owner
        self.status = status
        self.visibility = visibility
        self.protected = protected
        self.osHidden = osHidden
        self.diskFormat = diskFormat
        self.containerFormat = containerFormat
        self.size = size
        self.virtualSize = virtualSize
        self.checksum = checksum
        self.osHashAlgo = osHashAlgo
        self.osHashValue = osHashValue
        self.minDisk = minDisk
        self.minRam = minRam
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.tags = tags
        self.properties = properties
    }

    /// Glance's accepted formats.
    public static let diskFormats: Set<String> = ["ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop"]
    public static let containerFormats: Set<String> = ["ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed"]
}

/// A project an image is shared with, and whether it accepted.
public struct ImageMember: Sendable, Codable, Equatable {
    public enum Status: String, Sendable, Codable, CaseIterable {
        case pending, accepted, rejected
    }

    public var imageId: ImageID
    public var memberId: ProjectID
    public var status: Status
    public var createdAt: Timestamp
    public var updatedAt: Timestamp

    public init(imageId: ImageID, memberId: ProjectID, status: Status = .pending, createdAt: Timestamp, updatedAt: Timestamp) {
        self.imageId = imageId
        self.memberId = memberId
        self.status = status
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
