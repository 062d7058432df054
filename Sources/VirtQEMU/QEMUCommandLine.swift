internal import Virt

/// How one guest's `qemu-system-x86_64` is started: daemonized, controlled over a QMP unix socket, its serial
/// console written to a log file. Paths must be absolute (`-daemonize` changes QEMU's directory to `/`).
public struct QEMUCommandLine: Sendable, Equatable {
    /// The accelerator is a setting: on some hosts `/dev/kvm` opens but cannot run a stock guest, so it is never guessed.
    public enum Accelerator: String, Sendable {
        /// Software emulation; works everywhere.
        case tcg
        /// Hardware virtualization through `/dev/kvm`.
        case kvm
    }

    public var executable = "qemu-system-x86_64"
    /// The guest's name (`-name guest=…`), shown in QEMU's own messages and the VNC title.
    public var name: String
    /// The SMBIOS system UUID (`-uuid`), which the guest reads as its machine's: the instance's id, as Nova sets it.
    public var uuid: String?
    public var accelerator: Accelerator
    public var memoryMB: Int
    public var vcpus: Int
    /// The root disk (qcow2), on virtio-blk; the one the BIOS boots (`bootindex=1`: without it, SeaBIOS tries only
    /// the first disk on the PCI bus, which may be a volume). Nil when the root disk is a volume.
    public var disk: String?
    /// More qcow2 disks on virtio-blk after the root disk (the flavor's ephemeral and swap disks), in this order.
    public var extraDisks: [String] = []
    /// The attached volumes, after the other disks; a root volume comes first of all disks.
    public var volumes: [QEMUVolume] = []
    /// The config drive (an ISO9660 image labelled `config-2`), read-only on an IDE cdrom; nil for none.
    public var configDrive: String?
    /// The guest's NICs, in order; none gives the guest no network card at all.
    public var networks: [QEMUUserNetwork]
    /// The metadata service's NIC, after the others; nil for none.
    public var metadataNetwork: QEMUMetadataNetwork?
    public var qmpSocket: String
    public var serialLog: String
    /// A unix socket for the serial port beside the log (the serial console); nil: the log only.
    public var serialSocket: String?
    /// A unix socket QEMU's VNC server listens on (the graphical console); nil: no VNC server.
    public var vncSocket: String?
    public var pidFile: String
    /// QEMU's `-incoming` URI: the guest's state is read from it (a resume of a suspended guest) instead of booting.
    public var incoming: String?
    /// `-S`: the machine is made but its CPUs do not start (a stopped guest whose disks a cold migration sends).
    public var frozen = false

    public init(
        name: String,
        uuid: String? = nil,
        accelerator: Accelerator,
        memoryMB: Int,
        vcpus: Int,
        disk: String?,
        configDrive: String? = nil,
        networks: [QEMUUserNetwork] = [],
        metadataNetwork: QEMUMetadataNetwork? = nil,
        qmpSocket: String,
        serialLog: String,
        pidFile: String
    ) {
        self.name = name
        self.uuid = uuid
        self.accelerator = accelerator
        self.memoryMB = memoryMB
        self.vcpus = vcpus
        self.disk = disk
        self.configDrive = configDrive
        self.networks = networks
        self.metadataNetwork = metadataNetwork
        self.qmpSocket = qmpSocket
        self.serialLog = serialLog
        self.pidFile = pidFile
    }

    /// The arguments after the executable. Network cards use QEMU's user-mode networking (`-nic none` for none: QEMU
    /// would otherwise add one of its own).
    public var arguments: [String] {
        var arguments = [
            "-name", "guest=\(name)",
            "-machine", "pc",
            "-accel", accelerator.rawValue,
            "-m", "\(memoryMB)M",
            "-smp", "\(vcpus)",
        ]
        let drives = Self.localDrives(rootDisk: disk != nil, extraDisks: extraDisks.count)
        if let disk { arguments += ["-drive", "file=\(disk),format=qcow2,if=none,id=\(drives[0])", "-device", "virtio-blk-pci,drive=\(drives[0]),bootindex=1"] }
        arguments += volumes.filter(\.spec.isRoot).flatMap(\.arguments)
        arguments += zip(extraDisks, drives.suffix(extraDisks.count)).flatMap { ["-drive", "file=\($0),format=qcow2,if=virtio,id=\($1)"] }
        arguments += volumes.filter { !$0.spec.isRoot }.flatMap(\.arguments)
        if let uuid { arguments += ["-uuid", uuid] }
        if let configDrive {
            arguments += ["-drive", "file=\(configDrive),format=raw,media=cdrom,readonly=on"]
        }
        arguments += networks.flatMap(\.arguments) + (metadataNetwork?.arguments ?? [])
        if networks.isEmpty, metadataNetwork == nil { arguments += ["-nic", "none"] }
        arguments += [
            "-qmp", "unix:\(qmpSocket),server=on,wait=off",
            // Appended to, so output survives a restart of the guest and the log can be rotated under QEMU.
            "-chardev", serialSocket.map { "socket,id=console0,path=\($0),server=on,wait=off,logfile=\(serialLog),logappend=on" }
                ?? "file,id=console0,path=\(serialLog),append=on",
            "-serial", "chardev:console0",
            "-monitor", "none",
            "-display", "none",
            "-pidfile", pidFile,
            "-daemonize",
        ]
        if let vncSocket { arguments += ["-vnc", "unix:\(vncSocket)"] }
        if let incoming { arguments += ["-incoming", incoming] }
        if frozen { arguments += ["-S"] }
        return arguments
    }

    /// The drive ids of the guest's local disks (the root disk when it is not a volume, then the extra disks): what a
    /// migration copies, as volumes are shared.
    public static func localDrives(rootDisk: Bool, extraDisks: Int) -> [String] {
        (rootDisk ? ["disk0"] : []) + (0..<extraDisks).map { "disk\($0 + 1)" }
    }

    /// The paths QEMU is given, which must all be absolute.
    var paths: [String] {
        [qmpSocket, serialLog, pidFile] + extraDisks + volumes.map(\.spec.path) + [disk, configDrive, serialSocket, vncSocket].compactMap(\.self)
    }
}
