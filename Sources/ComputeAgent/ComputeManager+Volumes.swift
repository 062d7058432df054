import Foundation
import Logging
import Messaging
import StratusCore
import Virt

/// Volume attachments on the host: the volume service's attachment gets this host's connector and says where the
/// volume's file is, the driver attaches that, and the attachment is completed; a failure after the reserve undoes
/// every step and deletes the attachment, so the volume goes back to `available`.
extension ComputeManager {
    func attachVolume(_ message: AttachVolume) async throws -> Done {
        let credentials = message.credentials
        let event = "compute_attach_volume"
        await recordEvent(message.instanceId, credentials.requestId, event, start: now)
        do {
            guard let volumes else { throw StratusError.unavailable("Compute host \(host) has no volume service to attach volumes from.") }
            do {
                let connection = try await volumes.updateAttachment(
                    message.attachmentId, host: host, mountpoint: message.device, credentials: credentials
                )
                guard connection.volumeId == message.volumeId else {
                    throw StratusError.conflict("Attachment \(message.attachmentId) is of volume \(connection.volumeId), not \(message.volumeId).")
                }
                let spec = VolumeAttachmentSpec(
                    volumeId: message.volumeId.rawValue, path: connection.path, format: connection.format, device: message.device
                )
                try await driver.attachVolume(message.instanceId, volume: spec)
                do {
                    try await volumes.completeAttachment(message.attachmentId, credentials: credentials)
                } catch {
                    try? await driver.detachVolume(message.instanceId, volumeId: message.volumeId.rawValue)
                    throw error
                }
            } catch {
                try? await volumes.deleteAttachment(message.attachmentId, credentials: credentials)
                throw error
            }
        } catch {
            logger.warning("compute \(host): attach of volume \(message.volumeId) to \(message.instanceId) failed: \(error)")
            await recordEvent(message.instanceId, credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            throw Self.volumeFault(error)
        }
        await recordEvent(message.instanceId, credentials.requestId, event, start: nil, result: "Success")
        return Done()
    }

    /// Detaches the volume from the guest, then deletes the attachment. A guest that keeps the disk keeps the
    /// attachment too (the volume stays `in-use`); a guest the host no longer has has nothing to let go.
    func detachVolume(_ message: DetachVolume) async throws -> Done {
        let credentials = message.credentials
        let event = "compute_detach_volume"
        await recordEvent(message.instanceId, credentials.requestId, event, start: now)
        do {
            guard let volumes else { throw StratusError.unavailable("Compute host \(host) has no volume service to detach volumes from.") }
            do {
                try await driver.detachVolume(message.instanceId, volumeId: message.volumeId.rawValue)
            } catch DriverError.guestNotFound {
                // Nothing on the hypervisor holds the volume.
            }
            try await volumes.deleteAttachment(message.attachmentId, credentials: credentials)
        } catch {
            logger.warning("compute \(host): detach of volume \(message.volumeId) from \(message.instanceId) failed: \(error)")
            await recordEvent(message.instanceId, credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            throw Self.volumeFault(error)
        }
        await recordEvent(message.instanceId, credentials.requestId, event, start: nil, result: "Success")
        return Done()
    }

    /// After the guest of a deleted server is gone: deletes its volumes' attachments (the volumes go back to
    /// `available`) and the volumes to be deleted on termination. Failures are logged; the server is gone either way.
    func releaseVolumes(_ attachments: [InstanceVolumeAttachment], of instance: InstanceID, credentials: Credentials) async {
        guard let volumes, !attachments.isEmpty else { return }
        for attachment in attachments {
            do {
                try await volumes.deleteAttachment(attachment.attachmentId, credentials: credentials)
                if attachment.deleteOnTermination { try await volumes.deleteVolume(attachment.volumeId, credentials: credentials) }
            } catch {
                logger.warning("compute \(host): releasing volume \(attachment.volumeId) of deleted instance \(instance) failed: \(error)")
            }
        }
    }

    /// What the compute API learns of a failed attach or detach: the volume service's own fault, else the driver's
    /// message (a guest in the wrong power state is a conflict).
    static func volumeFault(_ error: any Error) -> any Error {
        switch error {
        case let error as StratusError: error
        case let error as RemoteFault: error
        case DriverError.invalidPowerState(_, _, _): RemoteFault(status: 409, message: reason(error))
        default: RemoteFault(status: 500, message: reason(error))
        }
    }
}

/// The volumes a build attaches before its guest starts (Nova's `_prep_block_device`): what it made, so a failed build
/// gives all of it back.
struct BuildVolumes: Sendable {
    var attachments: [InstanceVolumeAttachment] = []
    /// What the driver is given, in the order of `attachments`.
    var specs: [VolumeAttachmentSpec] = []
    /// The volumes this build created (from an image, or blank), which a failed build deletes.
    var created: [VolumeID] = []
}

extension ComputeManager {
    /// How long a new volume of a boot may stay `creating` (Nova's `block_device_allocate_retries` × interval).
    static let volumeCreationLimit: Duration = .seconds(300)

    /// Makes the boot's volumes ready for its guest, root volume first (it is `/dev/vda`): creates the new ones and
    /// waits until they are `available`, reserves each for the instance and gives the reservation this host's connector.
    /// A failure gives back everything made so far and throws.
    func prepareVolumes(_ instance: Instance, credentials: Credentials) async throws -> BuildVolumes {
        guard let volumes else { throw StratusError.unavailable("Compute host \(host) has no volume service to attach volumes from.") }
        var prepared = BuildVolumes()
        do {
            var planned = instance
            for request in instance.requestedVolumes.sorted(by: { ($0.bootIndex == 0 ? 0 : 1) < ($1.bootIndex == 0 ? 0 : 1) }) {
                let volumeId: VolumeID
                switch request.source {
                case .volume(let id):
                    volumeId = id
                case .image, .blank:
                    let image: ImageID? = if case .image(let id) = request.source { id } else { nil }
                    volumeId = try await volumes.createVolume(name: "", sizeGB: request.sizeGB ?? 1, image: image, credentials: credentials)
                    prepared.created.append(volumeId)
                    try await waitUntilAvailable(volumeId, credentials: credentials)
                }
                let attachmentId = try await volumes.createAttachment(volume: volumeId, instance: instance.id, credentials: credentials)
                let attachment = InstanceVolumeAttachment(
                    id: UUID().uuidString.lowercased(), volumeId: volumeId, attachmentId: attachmentId,
                    device: request.bootIndex == 0 ? "/dev/vda" : planned.nextVolumeDevice, tag: request.tag,
                    deleteOnTermination: request.deleteOnTermination, bootIndex: request.bootIndex
                )
                prepared.attachments.append(attachment)
                planned.volumeAttachments.append(attachment)
                let connection = try await volumes.updateAttachment(attachmentId, host: host, mountpoint: attachment.device, credentials: credentials)
                prepared.specs.append(VolumeAttachmentSpec(
                    volumeId: volumeId.rawValue, path: connection.path, format: connection.format, device: attachment.device, bootIndex: request.bootIndex
                ))
            }
        } catch {
            await release(prepared, of: instance.id, credentials: credentials)
            throw error
        }
        return prepared
    }

    /// Polls the new volume until the volume service has written it.
    private func waitUntilAvailable(_ volume: VolumeID, credentials: Credentials) async throws {
        let deadline = ContinuousClock.now.advanced(by: Self.volumeCreationLimit)
        while true {
            switch try await volumes?.volumeStatus(volume, credentials: credentials) {
            case "available": return
            case "creating", "downloading":
                guard ContinuousClock.now < deadline else {
                    throw StratusError.unavailable("Volume \(volume) was still being created after \(Self.volumeCreationLimit).")
                }
                try await Task.sleep(for: .milliseconds(500))
            case let status:
                throw StratusError.unavailable("Volume \(volume) for the server's block device went to status \(status ?? "deleted") instead of available.")
            }
        }
    }

    /// Marks the build's attachments done, once the guest has its volumes.
    func complete(_ prepared: BuildVolumes, credentials: Credentials) async throws {
        for attachment in prepared.attachments {
            try await volumes?.completeAttachment(attachment.attachmentId, credentials: credentials)
        }
    }

    /// Gives back what a failed build made: its attachments (the volumes it was given are `available` again) and the
    /// volumes it created. Failures are logged: the build has failed either way.
    func release(_ prepared: BuildVolumes, of instance: InstanceID, credentials: Credentials) async {
        guard let volumes else { return }
        for attachment in prepared.attachments {
            do { try await volumes.deleteAttachment(attachment.attachmentId, credentials: credentials) } catch {
                logger.warning("compute \(host): giving back volume \(attachment.volumeId) of failed build \(instance) failed: \(error)")
            }
        }
        for volume in prepared.created {
            do { try await volumes.deleteVolume(volume, credentials: credentials) } catch {
                logger.warning("compute \(host): deleting volume \(volume) of failed build \(instance) failed: \(error)")
            }
        }
    }
}
