internal import Foundation
public import StratusCore
public import Virt

/// Volumes: hot-plugged into a running guest over QMP (`blockdev-add` of the file and format nodes, `device_add` of
/// a `virtio-blk-pci`), and kept in `guest.json`, so every later start of QEMU has them on its command line.
extension QemuDriver {
    /// Attaches the volume: to a running (or paused) guest at once, to a stopped one from its next start. A suspended
    /// guest is refused (its saved state holds its devices as they were). Any failed step takes back the ones before
    /// it: no block node is left behind, and the record lists the volume only once QEMU has it.
    public func attachVolume(_ instance: InstanceID, volume spec: VolumeAttachmentSpec) async throws {
        let files = try existing(instance)
        let volume = try QEMUVolume(spec)
        guard !isSuspended(files) else { throw DriverError.invalidPowerState(instance, .suspended, "attach a volume to") }
        var guest = try readGuest(files)
        guard !guest.volumes.contains(where: { $0.volumeId == spec.volumeId }) else {
            throw DriverError.failed("Volume \(spec.volumeId) is already attached to instance \(instance).")
        }
        guard FileManager.default.fileExists(atPath: spec.path) else {
            throw DriverError.failed("Volume \(spec.volumeId)'s file \(spec.path) does not exist on this host.")
        }
        guest.volumes.append(spec)
        guard process(files) != nil else { return try writeGuest(guest, to: files) }
        try await qmp(files) { qmp in try await Self.plug(volume, into: qmp) }
        do {
            try writeGuest(guest, to: files)
        } catch {
            try? await qmp(files) { qmp in try await unplug(volume, from: qmp) }
            throw error
        }
    }

    /// Detaches the volume: from a running guest once the guest has let the device go (`DEVICE_DELETED` within
    /// `volumeDetachTimeout`; else the volume stays attached and recorded, and the error says so), from a stopped one
    /// by its record alone. A volume the guest does not have is not an error (a retried detach).
    public func detachVolume(_ instance: InstanceID, volumeId: String) async throws {
        let files = try existing(instance)
        var guest = try readGuest(files)
        guard let spec = guest.volumes.first(where: { $0.volumeId == volumeId }) else { return }
        guard !spec.isRoot else { throw DriverError.failed("Volume \(volumeId) is the root disk of instance \(instance); it cannot be detached.") }
        guard !isSuspended(files) else { throw DriverError.invalidPowerState(instance, .suspended, "detach a volume from") }
        if process(files) != nil {
            let volume = try QEMUVolume(spec)
            try await qmp(files) { qmp in try await unplug(volume, from: qmp) }
        }
        guest.volumes.removeAll { $0.volumeId == volumeId }
        try writeGuest(guest, to: files)
    }

    public func attachedVolumes(_ instance: InstanceID) async throws -> [VolumeAttachmentSpec] {
        try readGuest(try existing(instance)).volumes
    }

    /// `blockdev-add` of both nodes and `device_add`; a failure removes what was added.
    private static func plug(_ volume: QEMUVolume, into qmp: QMPClient) async throws {
        var added: [String] = []
        do {
            for node in volume.blockNodes {
                try await qmp.execute("blockdev-add", arguments: node)
                added.append(node["node-name"]?.stringValue ?? "")
            }
            try await qmp.execute("device_add", arguments: volume.device)
        } catch {
            for node in added.reversed() { _ = try? await qmp.execute("blockdev-del", arguments: ["node-name": .string(node)]) }
            throw error
        }
    }

    /// `device_del`, the wait for the guest to release the device, then `blockdev-del` of both nodes. A device QEMU
    /// does not have (it was never plugged, or went already) goes on to the nodes.
    private func unplug(_ volume: QEMUVolume, from qmp: QMPClient) async throws {
        do {
            try await qmp.execute("device_del", arguments: ["id": .string(volume.deviceId)])
            let deviceId = volume.deviceId
            do {
                _ = try await qmp.nextEvent(named: "DEVICE_DELETED", timeLimit: settings.volumeDetachTimeout) { $0.data["device"]?.stringValue == deviceId }
            } catch QMPError.timedOut {
                throw DriverError.failed(
                    "The guest did not release volume \(volume.spec.volumeId) within \(settings.volumeDetachTimeout) (it must answer the PCI "
                        + "hot-unplug request); the volume stays attached."
                )
            }
        } catch QMPError.commandFailed(_, "DeviceNotFound", _) {
            // Nothing to unplug: the nodes may still be there.
        }
        for node in [volume.nodeName, volume.fileNodeName] {
            do {
                try await qmp.execute("blockdev-del", arguments: ["node-name": .string(node)])
            } catch QMPError.commandFailed(_, _, let description) where description.contains("Failed to find node") {
                // Gone already.
            }
        }
    }
}
