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
                let spec = VolumeAttachmentSpec(volumeId: message.volumeId.rawValue, path: connection.path, format: connection.format)
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
