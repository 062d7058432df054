internal import Foundation
import GuestMetadata
public import Logging
public import StratusCore
public import Virt

/// The QEMU driver: one daemonized `qemu-system-x86_64` per guest, controlled over its QMP socket, with every file of
/// the guest in `<data-dir>/instances/<uuid>/` (root disk overlay, ephemeral and swap disks, config drive, QMP socket,
/// console log, pid file, `guest.json`, the saved state of a suspended guest). Volumes are files of the volume
/// service, attached where they are (QemuDriver+Volumes.swift).
///
/// The driver keeps no guest state in memory: what it knows of a guest is its directory and its QEMU process, so a
/// guest outlives the Stratus process that started it.
public struct QemuDriver: HypervisorDriver {
    public let name = "qemu"
    /// Extra interfaces and remote consoles are not done yet.
    public let capabilities = DriverCapabilities(interfaceAttach: false, remoteConsole: false)
    public let settings: QemuSettings
    /// The emulator's release, reported as the hypervisor version.
    public let version: QEMUVersion
    let limiter: BootLimiter
    let logger: Logger

    init(settings: QemuSettings, version: QEMUVersion, logger: Logger) {
        self.settings = settings
        self.version = version
        self.logger = logger
        limiter = BootLimiter(limit: settings.concurrentBoots)
    }

    /// Checks that the host can run guests (both QEMU tools run, the data directory suits QEMU's paths) and returns
    /// the driver; a missing tool fails with the Debian package to install.
    public static func probe(_ settings: QemuSettings, logger: Logger = Logger(label: "stratus.compute.qemu")) async throws -> QemuDriver {
        let directory = settings.dataDirectory
        guard directory.hasPrefix("/") else { throw DriverError.failed("The QEMU driver needs an absolute data directory, not \(directory).") }
        guard !directory.contains(",") else {
            throw DriverError.failed("The QEMU driver's data directory \(directory) must not contain a comma (QEMU options cannot hold one).")
        }
        // The serial console's socket has the longest of a guest's socket paths.
        let socket = InstanceFiles(instancesDirectory: settings.instancesDirectory, instance: InstanceID(UUID().uuidString)).serialSocket
        guard socket.utf8.count <= InstanceFiles.maximumSocketPath else {
            throw DriverError.failed(
                "The data directory \(directory) is too long for the QEMU driver: a guest's socket path (\(socket.utf8.count) bytes) "
                    + "must fit in \(InstanceFiles.maximumSocketPath) bytes."
            )
        }
        let version = try await toolVersion(settings.emulator, package: "qemu-system-x86")
        _ = try await toolVersion(settings.imageTool, package: "qemu-utils")
        try FileManager.default.createDirectory(atPath: settings.instancesDirectory, withIntermediateDirectories: true)
        return QemuDriver(settings: settings, version: version, logger: logger)
    }

    /// Whether the emulator is on `PATH` (what picks the default driver).
    public static func isInstalled(emulator: String = "qemu-system-x86_64") -> Bool {
        ToolRun.find(emulator) != nil
    }

    /// Runs `tool --version`: proof that it is installed and runs.
    static func toolVersion(_ tool: String, package: String) async throws -> QEMUVersion {
        guard ToolRun.find(tool) != nil else {
            throw DriverError.failed("\(tool) is not installed: install the Debian package \(package) (apt-get install \(package)), or use --driver fake.")
        }
        let output = try await ExternalTool.run([tool, "--version"])
        guard let version = QEMUVersion(versionOutput: output) else {
            throw DriverError.failed("\(tool) --version printed no version: \(output.prefix(200))")
        }
        return version
    }

    public func hostResources() async throws -> HostResources {
        let fileSystem = try? FileManager.default.attributesOfFileSystem(forPath: settings.dataDirectory)
        let diskBytes = (fileSystem?[.systemSize] as? NSNumber)?.int64Value ?? 0
        return HostResources(
            vcpus: ProcessInfo.processInfo.activeProcessorCount, memoryMB: Int(ProcessInfo.processInfo.physicalMemory >> 20),
            diskGB: Int(diskBytes >> 30), hypervisorType: "QEMU", hypervisorVersion: version.novaInteger,
            accelerator: settings.accelerator.rawValue
        )
    }

    // MARK: Guests and their files

    func files(_ instance: InstanceID) -> InstanceFiles {
        InstanceFiles(instancesDirectory: settings.instancesDirectory, instance: instance)
    }

    /// The guest's files; `guestNotFound` when it has no directory.
    func existing(_ instance: InstanceID) throws -> InstanceFiles {
        let files = files(instance)
        guard FileManager.default.fileExists(atPath: files.directory) else { throw DriverError.guestNotFound(instance) }
        return files
    }

    /// The guest's QEMU, when it runs.
    func process(_ files: InstanceFiles) -> QEMUProcess? {
        QEMUProcess.running(pidFile: files.pidFile, commandLineContains: files.qmpSocket)
    }

    func readGuest(_ files: InstanceFiles) throws -> StoredGuest {
        do {
            return try JSONDecoder().decode(StoredGuest.self, from: Data(contentsOf: URL(fileURLWithPath: files.guestFile)))
        } catch {
            throw DriverError.failed("The guest definition \(files.guestFile) cannot be read: \(error)")
        }
    }

    func writeGuest(_ guest: StoredGuest, to files: InstanceFiles) throws {
        try JSONEncoder().encode(guest).write(to: URL(fileURLWithPath: files.guestFile), options: .atomic)
    }

    public func guests() async -> [InstanceID] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: settings.instancesDirectory)) ?? []
        return names.filter { UUID(uuidString: $0) != nil }.map { InstanceID($0) }
    }

    /// The images of the guests' root disks, from each `guest.json` (a guest without one is still spawning: its image
    /// is leased from the cache meanwhile). A definition that cannot be read fails the whole answer, so the image
    /// cache cleanup removes nothing on a guess.
    public func imagesInUse() async throws -> Set<ImageID> {
        var images: Set<ImageID> = []
        for instance in await guests() {
            let files = files(instance)
            guard FileManager.default.fileExists(atPath: files.guestFile) else { continue }
            if let image = try readGuest(files).spec.imageId { images.insert(image) }
        }
        return images
    }

    // MARK: Lifecycle

    /// Makes the guest's directory, root disk and config drive (when the spec has its files) and starts QEMU; on any
    /// failure (QEMU refusing to start included) the process and the directory are removed again.
    public func spawn(_ guest: GuestSpec) async throws {
        try await create(guest, incoming: nil)
    }

    /// `spawn`, or with `incoming` QEMU's `-incoming` URI, the guest of a live migration waiting for its state.
    func create(_ guest: GuestSpec, incoming: String?) async throws {
        let image = guest.imagePath.flatMap { path in guest.imageDiskFormat.map { (path: path, format: $0) } }
        guard guest.rootVolume != nil || image != nil else {
            throw DriverError.failed("Instance \(guest.instanceId) has no image in the host's cache and no root volume.")
        }
        for volume in guest.volumes {
            _ = try QEMUVolume(volume)
            guard FileManager.default.fileExists(atPath: volume.path) else {
                throw DriverError.failed("Volume \(volume.volumeId)'s file \(volume.path) does not exist on this host.")
            }
        }
        let files = files(guest.instanceId)
        do {
            try FileManager.default.createDirectory(atPath: files.directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            throw FileManager.default.fileExists(atPath: files.directory) ? DriverError.guestExists(guest.instanceId) : error
        }
        do {
            try await limiter.run {
                if guest.rootVolume == nil, let image { try await createRootDisk(guest, files: files, image: image.path, diskFormat: image.format) }
                try await growFlavorDisks(guest, files: files)
                if let configDriveFiles = guest.configDriveFiles { try await ConfigDrive.write(configDriveFiles, to: files.configDrive) }
                let stored = StoredGuest(spec: guest, volumes: guest.volumes)
                try writeGuest(stored, to: files)
                try await start(stored, files: files, incoming: incoming)
            }
        } catch {
            if let process = process(files) { try? await process.killAndWait() }
            try? FileManager.default.removeItem(atPath: files.directory)
            throw error
        }
    }

    /// Starts QEMU for the guest on its existing disks (those of them that exist, and its config drive when it has
    /// one); from a saved state or a migration when `incoming` names it (a QEMU `-incoming` URI); with its CPUs not
    /// started when `frozen`. The first NIC forwards a port of
    /// 127.0.0.1 to the guest's SSH: the one it had before while that is free, else a new one, kept in `guest.json`. A
    /// last NIC carries the guest's metadata requests, when the host has a relay for them.
    func start(_ guest: StoredGuest, files: InstanceFiles, incoming: String? = nil, frozen: Bool = false) async throws {
        try ConsoleLog(path: files.consoleLog).rotateIfNeeded()
        let spec = guest.spec
        var networks: [QEMUUserNetwork] = []
        for interface in spec.interfaces {
            guard let network = QEMUUserNetwork(interface, id: "net\(networks.count)") else {
                logger.warning("instance \(spec.instanceId): port \(interface.portId) has no IPv4 address on a subnet it fits; the guest gets no NIC for it")
                continue
            }
            networks.append(network)
        }
        if !networks.isEmpty {
            var stored = guest
            stored.sshForwardPort = try guest.sshForwardPort.flatMap { LoopbackPort.isFree($0) ? $0 : nil } ?? LoopbackPort.pick()
            if stored != guest { try writeGuest(stored, to: files) }
            networks[0].sshForwardPort = stored.sshForwardPort
        }
        var commandLine = QEMUCommandLine(
            name: "instance-\(spec.instanceId)", uuid: spec.instanceId.rawValue, accelerator: settings.accelerator,
            memoryMB: spec.memoryMB, vcpus: spec.vcpus, disk: guest.volumes.contains(where: \.isRoot) ? nil : files.disk,
            configDrive: FileManager.default.fileExists(atPath: files.configDrive) ? files.configDrive : nil, networks: networks,
            metadataNetwork: settings.metadataRelay.map { QEMUMetadataNetwork(command: $0 + ["--instance", spec.instanceId.rawValue]) },
            qmpSocket: files.qmpSocket, serialLog: files.consoleLog, pidFile: files.pidFile
        )
        commandLine.vncSocket = files.vncSocket
        commandLine.serialSocket = files.serialSocket
        commandLine.executable = settings.emulator
        commandLine.extraDisks = [files.ephemeralDisk, files.swapDisk].filter { FileManager.default.fileExists(atPath: $0) }
        commandLine.volumes = try guest.volumes.map(QEMUVolume.init)
        commandLine.incoming = incoming
        commandLine.frozen = frozen
        _ = try await QEMUProcess.launch(commandLine)
    }

    /// `127.0.0.1:<port>` of the guest's SSH forward, from `guest.json`; nil for a guest without a NIC.
    public func sshForward(_ instance: InstanceID) async -> String? {
        guard let files = try? existing(instance), let port = try? readGuest(files).sshForwardPort else { return nil }
        return "127.0.0.1:\(port)"
    }

    /// Quits QEMU (killing it when it does not go) and removes the guest's directory.
    public func destroy(_ instance: InstanceID) async throws {
        let files = files(instance)
        guard FileManager.default.fileExists(atPath: files.directory) else { return }
        if let process = process(files) { try await quit(process, files: files) }
        try FileManager.default.removeItem(atPath: files.directory)
    }

    /// `running`, `paused` from QMP's `query-status`; with no QEMU, `suspended` when its state is saved, else `shutdown`;
    /// `noState` for a guest the host does not have.
    /// A QEMU that runs but does not answer on QMP counts as running: the power-state sync must not stop a live guest
    /// because its monitor was slow once.
    public func powerState(_ instance: InstanceID) async -> PowerState {
        guard let files = try? existing(instance) else { return .noState }
        guard process(files) != nil else { return stoppedState(files) }
        guard let status = try? await runStatus(files) else { return process(files) == nil ? stoppedState(files) : .running }
        return Self.powerState(runStatus: status)
    }

    /// QMP's `RunState` as a power state.
    static func powerState(runStatus: String) -> PowerState {
        switch runStatus {
        case "running": .running
        case "paused", "inmigrate", "prelaunch", "finish-migrate", "postmigrate", "save-vm", "restore-vm", "colo", "debug": .paused
        case "suspended": .suspended
        case "shutdown": .shutdown
        case "internal-error", "io-error", "guest-panicked", "watchdog": .crashed
        default: .noState
        }
    }

    public func consoleOutput(_ instance: InstanceID, lines: Int?) async throws -> String {
        try ConsoleLog(path: existing(instance).consoleLog).read(lines: lines)
    }

    // MARK: Not done yet

    public func attachInterface(_ instance: InstanceID, interface: GuestInterface) async throws { throw DriverError.unsupported("interface attachment") }
    public func detachInterface(_ instance: InstanceID, portId: PortID) async throws { throw DriverError.unsupported("interface detachment") }
}
