public import StratusCore

/// The only door to a hypervisor: everything a compute host asks of its guests. One driver per host.
///
/// Every method that acts on a guest names it by instance id; a guest the driver does not know is
/// `DriverError.guestNotFound`. Operations a driver cannot do throw `DriverError.unsupported`; callers check
/// `capabilities` first where the API must refuse early.
public protocol HypervisorDriver: Sendable {
    /// `fake`, `qemu`: what `--driver` names.
    var name: String { get }
    var capabilities: DriverCapabilities { get }
    /// The host's size and kind, for the resource tracker and `os-hypervisors`.
    func hostResources() async throws -> HostResources

    /// Creates and starts the guest; on failure nothing of it is left behind.
    func spawn(_ guest: GuestSpec) async throws
    /// Stops the guest and removes everything of it; a guest that is already gone is not an error.
    func destroy(_ instance: InstanceID) async throws
    /// Soft: ask the guest OS to restart; hard: reset it.
    func reboot(_ instance: InstanceID, hard: Bool) async throws
    func powerOff(_ instance: InstanceID) async throws
    func powerOn(_ instance: InstanceID) async throws
    func pause(_ instance: InstanceID) async throws
    func unpause(_ instance: InstanceID) async throws
    func suspend(_ instance: InstanceID) async throws
    func resume(_ instance: InstanceID) async throws
    /// The guest's power state now; `noState` for a guest the driver does not have.
    func powerState(_ instance: InstanceID) async -> PowerState
    /// Every guest the driver runs, for the periodic power-state sync.
    func guests() async -> [InstanceID]
    /// The images the host's guests' disks are built on, which the host's image cache must keep.
    func imagesInUse() async throws -> Set<ImageID>
    /// Where a user on the host reaches the guest's SSH port (`127.0.0.1:40123`); nil when the driver forwards none.
    func sshForward(_ instance: InstanceID) async -> String?

    /// Writes the guest's root disk as an image file at `path`; returns its disk format (`qcow2`, `raw`).
    func snapshot(_ instance: InstanceID, to path: String) async throws -> String
    /// Gives the guest the new flavor's size (a resize on the same host).
    func resize(_ instance: InstanceID, to guest: GuestSpec) async throws
    /// The guest's volumes: those it was spawned with, then those attached later, in that order.
    func attachedVolumes(_ instance: InstanceID) async throws -> [VolumeAttachmentSpec]
    func attachVolume(_ instance: InstanceID, volume: VolumeAttachmentSpec) async throws
    func detachVolume(_ instance: InstanceID, volumeId: String) async throws
    func attachInterface(_ instance: InstanceID, interface: GuestInterface) async throws
    func detachInterface(_ instance: InstanceID, portId: PortID) async throws
    /// The guest's serial console output, the last `lines` lines when given.
    func consoleOutput(_ instance: InstanceID, lines: Int?) async throws -> String
    /// Where the guest's graphical (or serial) console listens, for the console proxy.
    func remoteConsole(_ instance: InstanceID, kind: RemoteConsole.Kind) async throws -> RemoteConsole
    /// Sends the guest an NMI, so its kernel dumps.
    func triggerCrashDump(_ instance: InstanceID) async throws

    /// A move to another host, on the destination: makes the guest's disks as `spawn` does and starts it waiting for
    /// its state (and its local disks' contents) from the source; returns where the source sends them. On failure
    /// nothing of it is left behind; `destroy` removes it again when the move does not happen.
    func prepareIncomingMigration(_ guest: GuestSpec) async throws -> String
    /// A move to another host, on the source: sends the guest to `destination` (what the destination's
    /// `prepareIncomingMigration` returned), its local disks with it, and returns once the destination has all of it.
    /// A running or paused guest (a live migration) is stopped here then; a stopped one (a cold migration) stays as it
    /// is; either copy is for the caller to `destroy`. On failure the guest is here as it was.
    func migrate(_ instance: InstanceID, to destination: String) async throws
    /// A move to another host, on the destination once the source is done: returns when the guest is here, running or
    /// paused as it was on the source (a stopped one is paused: the caller powers it off).
    func finishIncomingMigration(_ instance: InstanceID) async throws
}

/// What a driver can do, which the compute API checks before accepting an action.
public struct DriverCapabilities: Sendable, Codable, Equatable {
    public var pause: Bool
    public var suspend: Bool
    public var snapshot: Bool
    public var resize: Bool
    public var volumeAttach: Bool
    public var interfaceAttach: Bool
    public var consoleOutput: Bool
    public var remoteConsole: Bool
    public var crashDump: Bool

    public init(
        pause: Bool = true, suspend: Bool = true, snapshot: Bool = true, resize: Bool = true, volumeAttach: Bool = true,
        interfaceAttach: Bool = true, consoleOutput: Bool = true, remoteConsole: Bool = true, crashDump: Bool = true
    ) {
        self.pause = pause
        self.suspend = suspend
        self.snapshot = snapshot
        self.resize = resize
        self.volumeAttach = volumeAttach
        self.interfaceAttach = interfaceAttach
        self.consoleOutput = consoleOutput
        self.remoteConsole = remoteConsole
        self.crashDump = crashDump
    }
}

/// The host's capacity and kind.
public struct HostResources: Sendable, Codable, Equatable {
    public var vcpus: Int
    public var memoryMB: Int
    public var diskGB: Int
    /// `fake`, `QEMU`: `os-hypervisors`' `hypervisor_type`.
    public var hypervisorType: String
    public var hypervisorVersion: Int
    public var cpuArchitecture: String
    /// What the guests run on (`tcg`, `kvm`), for drivers with a choice.
    public var accelerator: String?

    public init(
        vcpus: Int, memoryMB: Int, diskGB: Int, hypervisorType: String, hypervisorVersion: Int, cpuArchitecture: String = "x86_64",
        accelerator: String? = nil
    ) {
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.diskGB = diskGB
        self.hypervisorType = hypervisorType
        self.hypervisorVersion = hypervisorVersion
        self.cpuArchitecture = cpuArchitecture
        self.accelerator = accelerator
    }
}

/// Everything a driver needs to start one guest.
public struct GuestSpec: Sendable, Codable, Equatable {
    public var instanceId: InstanceID
    public var name: String
    public var hostname: String
    public var vcpus: Int
    public var memoryMB: Int
    public var rootGB: Int
    public var ephemeralGB: Int
    public var swapMB: Int
    public var imageId: ImageID?
    /// The image in the host's cache, for drivers that boot from a file.
    public var imagePath: String?
    /// The cached image's format as the image service records it (`qcow2`, `raw`): never guessed from the file.
    public var imageDiskFormat: String?
    public var interfaces: [GuestInterface]
    /// Base64 user data, as the API received it.
    public var userData: String?
    public var metadata: [String: String]
    public var publicKey: String?
    /// The config drive's files (path in the drive, no leading `/`, to bytes), nil for no config drive. Never
    /// persisted: a driver keeps the drive it wrote, not its contents.
    public var configDriveFiles: [String: [UInt8]]?
    /// The volumes the guest starts with (its block device mappings); one with boot index 0 is its root disk, and
    /// then it has no image. Kept by the driver with the volumes attached later, not in the spec.
    public var volumes: [VolumeAttachmentSpec] = []

    /// The root disk is a volume.
    public var rootVolume: VolumeAttachmentSpec? { volumes.first(where: \.isRoot) }

    enum CodingKeys: String, CodingKey {
        case instanceId, name, hostname, vcpus, memoryMB, rootGB, ephemeralGB, swapMB, imageId, imagePath, imageDiskFormat, interfaces
        case userData, metadata, publicKey
    }

    public init(
        instanceId: InstanceID, name: String, hostname: String, vcpus: Int, memoryMB: Int, rootGB: Int, ephemeralGB: Int = 0,
        swapMB: Int = 0, imageId: ImageID? = nil, imagePath: String? = nil, imageDiskFormat: String? = nil, interfaces: [GuestInterface] = [], userData: String? = nil,
        metadata: [String: String] = [:], publicKey: String? = nil, configDriveFiles: [String: [UInt8]]? = nil
    ) {
        self.instanceId = instanceId
        self.name = name
        self.hostname = hostname
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.rootGB = rootGB
        self.ephemeralGB = ephemeralGB
        self.swapMB = swapMB
        self.imageId = imageId
        self.imagePath = imagePath
        self.imageDiskFormat = imageDiskFormat
        self.interfaces = interfaces
        self.userData = userData
        self.metadata = metadata
        self.publicKey = publicKey
        self.configDriveFiles = configDriveFiles
    }
}

/// One virtual NIC of a guest: a port of the network service.
public struct GuestInterface: Sendable, Codable, Equatable {
    public var portId: PortID
    public var networkId: NetworkID
    public var macAddress: String
    public var addresses: [IPAddress]
    /// The subnets of `addresses`, for drivers that serve the guest's DHCP themselves.
    public var subnets: [GuestSubnet]

    public init(portId: PortID, networkId: NetworkID, macAddress: String, addresses: [IPAddress], subnets: [GuestSubnet] = []) {
        self.portId = portId
        self.networkId = networkId
        self.macAddress = macAddress
        self.addresses = addresses
        self.subnets = subnets
    }
}

/// A subnet a guest's port is on: its address block and gateway.
public struct GuestSubnet: Sendable, Codable, Equatable {
    public var cidr: IPNetwork
    public var gateway: IPAddress?

    public init(cidr: IPNetwork, gateway: IPAddress?) {
        self.cidr = cidr
        self.gateway = gateway
    }
}

/// A volume as the hypervisor attaches it: what the volume service's `connection_info` names (Cinder's `file`
/// connection type: a disk image file on the host).
public struct VolumeAttachmentSpec: Sendable, Codable, Equatable {
    public var volumeId: String
    /// The file or device that holds the volume (absolute).
    public var path: String
    /// The file's disk format: `qcow2` or `raw`.
    public var format: String
    /// The device name the user asked for (`/dev/vdb`); drivers may not honour it, as Nova's do not.
    public var device: String?
    /// 0 for the guest's root disk (a server booted from a volume), which the firmware boots; nil for a data volume.
    public var bootIndex: Int?

    public init(volumeId: String, path: String, format: String = "qcow2", device: String? = nil, bootIndex: Int? = nil) {
        self.volumeId = volumeId
        self.path = path
        self.format = format
        self.device = device
        self.bootIndex = bootIndex
    }

    public var isRoot: Bool { bootIndex == 0 }
}

/// A driver's failures, each with a message fit for an instance fault.
public enum DriverError: Error, Sendable, Equatable, CustomStringConvertible {
    case guestNotFound(InstanceID)
    case guestExists(InstanceID)
    case unsupported(String)
    /// The guest is not in a power state that allows the operation.
    case invalidPowerState(InstanceID, PowerState, String)
    /// A failure the driver reports as is (the fake driver's injected failures, a QEMU error).
    case failed(String)

    public var description: String {
        switch self {
        case .guestNotFound(let id): "Instance \(id) could not be found on the hypervisor."
        case .guestExists(let id): "Instance \(id) already exists on the hypervisor."
        case .unsupported(let operation): "The hypervisor driver does not support \(operation)."
        case .invalidPowerState(let id, let state, let operation): "Cannot \(operation) instance \(id) in power state \(state)."
        case .failed(let message): message
        }
    }
}
