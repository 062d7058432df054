import Database
import Foundation
public import HTTPSupport
public import ServiceClients
public import StratusCore

/// What a volume create asks for (`POST /volumes`).
public struct VolumeCreate: Sendable {
    public var size: Int?
    public var name: String?
    public var description: String?
    public var metadata: [String: String] = [:]
    public var imageId: ImageID?
    public var snapshotId: SnapshotID?
    public var sourceVolumeId: VolumeID?
    public var availabilityZone: String?
    /// A type's name or id.
    public var volumeType: String?

    /// A volume of `size` GiB, blank or from `imageId`, of the default type; the other fields are set one by one.
    public init(size: Int? = nil, name: String? = nil, imageId: ImageID? = nil) {
        self.size = size
        self.name = name
        self.imageId = imageId
    }
}

extension VolumeService {
    /// Records a new volume (`creating`) and hands the making of its data to the worker; `available` when it is done,
    /// `error` when the backend fails. The request is checked against its source, its type and the project's quota first.
    public func createVolume(_ request: VolumeCreate, auth: AuthContext) async throws -> Volume {
        try Self.requireWriter(auth, rule: "volume:create")
        let project = try Self.project(of: auth)
        if let zone = request.availabilityZone, zone != Self.availabilityZone {
            throw StratusError.badRequest("Availability zone '\(zone)' is invalid.")
        }
        let sources = [request.imageId != nil, request.snapshotId != nil, request.sourceVolumeId != nil].filter { $0 }.count
        guard sources <= 1 else {
            throw CinderFault.invalidInput("Only one of snapshot_id, imageRef and source_volid may be given.")
        }
        if let size = request.size, size < 1 {
            throw CinderFault.invalidInput("Invalid input for field/attribute size. Value: \(size). \(size) is less than the minimum of 1")
        }
        let type = try await volumeType(named: request.volumeType)
        let time = now
        var volume = Volume(
            id: .generateUUID(), projectId: project, userId: auth.userId, name: request.name, description: request.description,
            size: request.size ?? 0, availabilityZone: Self.availabilityZone, volumeTypeId: type.id, metadata: request.metadata, createdAt: time
        )
        var source = VolumeSource.blank
        if let imageId = request.imageId {
            let image = try await usableImage(imageId, auth: auth)
            let imageGiB = Int(((image.virtualSize ?? image.size ?? 0) + (1 << 30) - 1) >> 30)
            if request.size == nil { volume.size = max(imageGiB, image.minDisk, 1) }
            guard imageGiB <= volume.size else {
                throw CinderFault.invalidInput("Size of specified image \(imageGiB)GB is larger than volume size \(volume.size)GB.")
            }
            guard image.minDisk <= volume.size else {
                throw CinderFault.invalidInput("Volume size \(volume.size)GB cannot be smaller than the image minDisk size \(image.minDisk)GB.")
            }
            volume.imageId = imageId
            volume.bootable = true
            volume.imageMetadata = Self.imageMetadata(image)
            source = .image(imageId, diskFormat: image.diskFormat) { [images] path in try await images.writeData(imageId, auth: auth, to: path) }
        }
        guard request.size != nil || request.imageId != nil || request.snapshotId != nil || request.sourceVolumeId != nil else {
            throw CinderFault.invalidInput("Invalid input for field/attribute size. Value: None. None is not of type 'integer'")
        }
        let created = try await database.transaction { [volume, source] tx -> (Volume, VolumeSource) in
            var volume = volume
            var source = source
            if let snapshotId = request.snapshotId {
                let snapshot = try await Self.visibleSnapshot(snapshotId, auth, in: tx.volumes)
                guard snapshot.status == .available else {
                    throw CinderFault.invalidSnapshot("Originating snapshot status must be 'available' to create a volume.")
                }
                if request.size == nil { volume.size = snapshot.size }
                guard volume.size >= snapshot.size else {
                    throw CinderFault.invalidInput(
                        "Volume size '\(volume.size)'GB cannot be smaller than the snapshot size \(snapshot.size)GB. They must be >= original snapshot size."
                    )
                }
                if let origin = try await tx.volumes.volume(snapshot.volumeId) { volume.bootable = origin.bootable }
                volume.snapshotId = snapshotId
                source = .snapshot(snapshotId)
            }
            if let sourceId = request.sourceVolumeId {
                let original = try await Self.visibleVolume(sourceId, auth, in: tx.volumes)
                guard [.available, .inUse].contains(original.status) else {
                    throw CinderFault.invalidVolume("Source volume status must be available or in-use, but it is \(original.status.rawValue).")
                }
                if request.size == nil { volume.size = original.size }
                guard volume.size >= original.size else {
                    throw CinderFault.invalidInput(
                        "Volume size '\(volume.size)'GB cannot be smaller than original volume size  \(original.size)GB. They must be >= original volume size."
                    )
                }
                volume.bootable = original.bootable
                volume.imageMetadata = original.imageMetadata
                volume.sourceVolumeId = sourceId
                source = .volume(sourceId)
            }
            try await VolumeQuotas.check(project: project, addingVolumes: 1, gigabytes: volume.size, volumeSize: volume.size, in: tx.volumes)
            try await tx.volumes.createVolume(volume)
            return (volume, source)
        }
        worker.submit(.create(created.0.id, size: created.0.size, source: created.1))
        return created.0
    }

    /// The type a request names (by name or id), or the default type.
    func volumeType(named name: String?) async throws -> VolumeType {
        let types = try await repository.volumeTypes()
        let wanted = name ?? VolumeType.defaultName
        guard let type = types.first(where: { $0.name == wanted || $0.id.rawValue == wanted }) else {
            throw CinderFault.volumeTypeNotFound(wanted)
        }
        return type
    }

    /// The image if the caller may see it and it is active; Cinder's 404 and 400 otherwise.
    func usableImage(_ id: ImageID, auth: AuthContext) async throws -> Image {
        let image: Image
        do {
            image = try await images.visibleImage(id, auth: auth)
        } catch let error as StratusError {
            if case .notFound = error { throw CinderFault.imageNotFound(id.rawValue) }
            throw error
        }
        guard image.status == .active else { throw CinderFault.invalidInput("Image \(id) is not active.") }
        return image
    }

    /// `volume_image_metadata`: the image's fields Cinder copies, and its properties.
    static func imageMetadata(_ image: Image) -> [String: String] {
        var metadata = image.properties
        metadata["image_id"] = image.id.rawValue
        metadata["image_name"] = image.name ?? ""
        metadata["checksum"] = image.checksum
        metadata["container_format"] = image.containerFormat
        metadata["disk_format"] = image.diskFormat
        metadata["min_disk"] = String(image.minDisk)
        metadata["min_ram"] = String(image.minRam)
        metadata["size"] = image.size.map(String.init)
        return metadata
    }
}
