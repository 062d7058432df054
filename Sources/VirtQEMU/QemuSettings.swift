internal import Foundation

/// How a host runs its QEMU guests (Nova's `[libvirt]` options, for a driver without libvirt).
public struct QemuSettings: Sendable, Equatable {
    /// Where `instances/<uuid>/` live; absolute, because QEMU runs in `/` once daemonized.
    public var dataDirectory: String
    /// Never inferred from `/dev/kvm`: on some hosts it opens, QEMU accepts it, and a stock guest still never boots.
    public var accelerator: QEMUCommandLine.Accelerator
    /// How long a power-off waits for the guest to act on the ACPI power button before QEMU is quit.
    public var powerOffTimeout: Duration
    /// How long a volume detach waits for the guest to release the disk (answer the PCI hot-unplug request).
    public var volumeDetachTimeout: Duration
    /// How many guests may start at once (default: one per core; concurrent TCG boots slow each other down steeply).
    public var concurrentBoots: Int
    public var emulator: String
    public var imageTool: String
    /// The command QEMU runs for each connection a guest opens to the metadata address 169.254.169.254:80
    /// (`stratus metadata-relay --endpoint … --secret-file …`), given `--instance <uuid>` after it; nil: guests get no
    /// metadata NIC.
    public var metadataRelay: [String]?
    /// Where this host's QEMU listens for the guests that live migrations bring here (Nova's
    /// `live_migration_inbound_addr`): an IPv4 address of this host that the other compute hosts reach.
    public var migrationAddress: String

    public init(
        dataDirectory: String, accelerator: QEMUCommandLine.Accelerator = .tcg, powerOffTimeout: Duration = .seconds(60),
        volumeDetachTimeout: Duration = .seconds(30), concurrentBoots: Int? = nil, emulator: String = "qemu-system-x86_64",
        imageTool: String = "qemu-img", metadataRelay: [String]? = nil, migrationAddress: String = "127.0.0.1"
    ) {
        self.dataDirectory = dataDirectory
        self.accelerator = accelerator
        self.powerOffTimeout = powerOffTimeout
        self.volumeDetachTimeout = volumeDetachTimeout
        self.concurrentBoots = concurrentBoots ?? ProcessInfo.processInfo.activeProcessorCount
        self.emulator = emulator
        self.imageTool = imageTool
        self.metadataRelay = metadataRelay
        self.migrationAddress = migrationAddress
    }

    var instancesDirectory: String { dataDirectory + "/instances" }
}
