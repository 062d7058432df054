internal import Foundation

/// How a host runs its QEMU guests (Nova's `[libvirt]` options, for a driver without libvirt).
public struct QemuSettings: Sendable, Equatable {
    /// Where `instances/<uuid>/` live; absolute, because QEMU runs in `/` once daemonized.
    public var dataDirectory: String
    /// Never inferred from `/dev/kvm`: on some hosts it opens, QEMU accepts it, and a stock guest still never boots.
    public var accelerator: QEMUCommandLine.Accelerator
    /// How long a power-off waits for the guest to act on the ACPI power button before QEMU is quit.
    public var powerOffTimeout: Duration
    /// How many guests may start at once (default: one per core; concurrent TCG boots slow each other down steeply).
    public var concurrentBoots: Int
    public var emulator: String
    public var imageTool: String

    public init(
        dataDirectory: String, accelerator: QEMUCommandLine.Accelerator = .tcg, powerOffTimeout: Duration = .seconds(60),
        concurrentBoots: Int? = nil, emulator: String = "qemu-system-x86_64",
        imageTool: String = "qemu-img"
    ) {
        self.dataDirectory = dataDirectory
        self.accelerator = accelerator
        self.powerOffTimeout = powerOffTimeout
        self.concurrentBoots = concurrentBoots ?? ProcessInfo.processInfo.activeProcessorCount
        self.emulator = emulator
        self.imageTool = imageTool
    }

    var instancesDirectory: String { dataDirectory + "/instances" }
}
