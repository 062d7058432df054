internal import Foundation
public import Virt

/// A volume on a guest's virtio-blk bus: two block nodes (the file, then its format) and a `virtio-blk-pci` device,
/// named after the volume so a hot-plug and a later start of QEMU (the volume on its command line) give the same
/// names, which a detach then removes.
public struct QEMUVolume: Sendable, Equatable {
    public let spec: VolumeAttachmentSpec

    /// Checks what QEMU will be given: a volume id of letters, digits and dashes (it names QEMU objects), an absolute
    /// path (QEMU runs in `/`), a `qcow2` or `raw` format.
    public init(_ spec: VolumeAttachmentSpec) throws {
        guard !spec.volumeId.isEmpty, spec.volumeId.count <= 64,
            spec.volumeId.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") })
        else { throw DriverError.failed("Volume id '\(spec.volumeId)' is not one the QEMU driver can attach (letters, digits and dashes only).") }
        guard spec.path.hasPrefix("/") else { throw DriverError.failed("Volume \(spec.volumeId)'s file \(spec.path) is not an absolute path.") }
        guard ["qcow2", "raw"].contains(spec.format) else {
            throw DriverError.failed("Volume \(spec.volumeId) has format '\(spec.format)'; the QEMU driver attaches qcow2 and raw volumes.")
        }
        self.spec = spec
    }

    /// The volume id without its dashes, which QEMU's 31-character node names take most of.
    private var compactId: String { spec.volumeId.replacingOccurrences(of: "-", with: "") }
    /// The format node, which the device reads.
    var nodeName: String { "vol" + compactId.prefix(28) }
    /// The file node under it.
    var fileNodeName: String { "file" + compactId.prefix(27) }
    /// The `virtio-blk-pci` device's id, which `DEVICE_DELETED` names.
    var deviceId: String { "volume-" + spec.volumeId }
    /// The disk's serial number as the guest reads it (`/sys/block/vdX/serial`, `/dev/disk/by-id/virtio-<serial>`):
    /// the volume id cut to virtio-blk's 20 bytes, as Nova's libvirt driver sets it.
    var serial: String { String(spec.volumeId.prefix(20)) }

    /// `blockdev-add`'s arguments for the file node, then the format node. A qcow2 format node opens the backing file
    /// its header names, as Nova's libvirt driver does with Cinder's file volumes: the volume service makes every
    /// volume file itself (a volume from an image is an overlay on the image's base, and images whose header names a
    /// backing file are refused), so no user wrote that header.
    var blockNodes: [[String: QMPValue]] {
        let file: [String: QMPValue] = ["driver": "file", "node-name": .string(fileNodeName), "filename": .string(spec.path)]
        let format: [String: QMPValue] = ["driver": .string(spec.format), "node-name": .string(nodeName), "file": .string(fileNodeName)]
        return [file, format]
    }

    /// The PCI slot of a data volume, from the device name it was given (`/dev/vdb` is 0x11, up to `/dev/vdp`, 0x1f), so
    /// that a volume hot-plugged into a running guest and the same volume on the command line of a later QEMU sit at the
    /// same address, as a migration's destination must have them. The guest's other devices take the lowest free slots
    /// (QEMU's choice); a root volume, and a device name beyond these, too.
    var pciSlot: Int? {
        guard !spec.isRoot, let letter = spec.device?.unicodeScalars.last, spec.device?.hasPrefix("/dev/") == true,
            ("b"..."p").contains(Character(letter))
        else { return nil }
        return 0x10 + Int(letter.value - UnicodeScalar("a").value)
    }

    private var address: String? { pciSlot.map { "0x" + String($0, radix: 16) } }

    /// `device_add`'s arguments.
    var device: [String: QMPValue] {
        var device: [String: QMPValue] = ["driver": "virtio-blk-pci", "id": .string(deviceId), "drive": .string(nodeName), "serial": .string(serial)]
        if let address { device["addr"] = .string(address) }
        return device
    }

    /// The same nodes and device on QEMU's command line (`-blockdev` as JSON, so no path needs QEMU's comma escaping).
    var arguments: [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let nodes = blockNodes.flatMap { node in
            ["-blockdev", (try? encoder.encode(QMPValue.object(node))).map { String(decoding: $0, as: UTF8.self) } ?? ""]
        }
        // A root volume is what the firmware boots.
        return nodes + [
            "-device", "virtio-blk-pci,drive=\(nodeName),id=\(deviceId),serial=\(serial)" + (address.map { ",addr=\($0)" } ?? "") + (spec.isRoot ? ",bootindex=1" : ""),
        ]
    }
}
