import Foundation
public import StratusCore

/// The operations whose delay and failure a `FakeDriver` can be told.
public enum DriverOperation: String, Sendable, Codable, CaseIterable {
    case spawn, destroy, reboot, powerOff, powerOn, pause, unpause, suspend, resume, snapshot, resize
    case attachVolume, detachVolume, attachInterface, detachInterface, crashDump
    /// Live migration: `prepareMigration` on the destination, `migrate` on the source.
    case prepareMigration, migrate
}

/// A hypervisor that keeps its guests in memory, as Nova's fake driver does: for tests, and for simulating many
/// hosts in one process. Shipped, not test-only; it behaves like a real driver in every state rule.
public actor FakeDriver: HypervisorDriver {
    /// One simulated guest.
    struct Guest {
        var spec: GuestSpec
        var powerState: PowerState
        var console: [String]
        var volumes: [VolumeAttachmentSpec]
    }

    public nonisolated let name = "fake"
    public nonisolated let capabilities = DriverCapabilities()
    let resources: HostResources
    let clock: any Clock<Duration>
    private var delays: [DriverOperation: Duration]
    private var failures: [DriverOperation: String] = [:]
    private var guestsById: [InstanceID: Guest] = [:]

    /// Nova's fake host is enormous; this one is a large but plausible machine.
    public static let defaultResources = HostResources(vcpus: 64, memoryMB: 262_144, diskGB: 4096, hypervisorType: "fake", hypervisorVersion: 1000)

    public init(resources: HostResources = defaultResources, delays: [DriverOperation: Duration] = [:], clock: any Clock<Duration> = ContinuousClock()) {
        self.resources = resources
        self.delays = delays
        self.clock = clock
    }

    /// Makes every later `operation` fail with `message` (nil: succeed again).
    public func injectFailure(_ operation: DriverOperation, message: String?) {
        failures[operation] = message
    }

    public func setDelay(_ operation: DriverOperation, _ delay: Duration?) {
        delays[operation] = delay
    }

    /// Changes a guest's power state as if from inside (the guest shut itself down, crashed); nil removes the guest
    /// as if its process died. For tests of the power-state sync.
    public func simulatePowerChange(_ instance: InstanceID, to state: PowerState?) {
        guard let state else {
            guestsById[instance] = nil
            return
        }
        guestsById[instance]?.powerState = state
    }

    public func hostResources() async throws -> HostResources { resources }

    /// Waits the operation's delay, then fails if told to.
    private func perform(_ operation: DriverOperation) async throws {
        if let delay = delays[operation] { try await clock.sleep(for: delay, tolerance: nil) }
        if let message = failures[operation] { throw DriverError.failed(message) }
    }

    private func guest(_ id: InstanceID) throws -> Guest {
        guard let guest = guestsById[id] else { throw DriverError.guestNotFound(id) }
        return guest
    }

    /// Moves a guest from one of `from` to `to`; otherwise `invalidPowerState`.
    private func transition(_ id: InstanceID, from: Set<PowerState>, to: PowerState, _ operation: DriverOperation) async throws {
        try await perform(operation)
        var guest = try guest(id)
        guard from.contains(guest.powerState) else { throw DriverError.invalidPowerState(id, guest.powerState, operation.rawValue) }
        guest.powerState = to
        guest.console.append("[fake] \(operation.rawValue): power state \(to)")
        guestsById[id] = guest
    }

    public func spawn(_ spec: GuestSpec) async throws {
        guard guestsById[spec.instanceId] == nil else { throw DriverError.guestExists(spec.instanceId) }
        try await perform(.spawn)
        let boot = [
            "[fake] booting \(spec.name) (\(spec.vcpus) vCPU, \(spec.memoryMB) MiB)",
            "[fake] \(spec.hostname) login:",
        ] + spec.interfaces.map { "[fake] eth: \($0.macAddress) \($0.addresses.map(\.description).joined(separator: " "))" }
        guestsById[spec.instanceId] = Guest(spec: spec, powerState: .running, console: boot, volumes: spec.volumes)
    }

    public func destroy(_ instance: InstanceID) async throws {
        try await perform(.destroy)
        guestsById[instance] = nil
    }

    public func reboot(_ instance: InstanceID, hard: Bool) async throws {
        let allowed: Set<PowerState> = hard ? [.running, .shutdown, .crashed, .paused, .suspended] : [.running]
        try await transition(instance, from: allowed, to: .running, .reboot)
    }

    public func powerOff(_ instance: InstanceID) async throws {
        try await transition(instance, from: [.running, .paused, .suspended, .crashed], to: .shutdown, .powerOff)
    }

    public func powerOn(_ instance: InstanceID) async throws {
        try await transition(instance, from: [.shutdown, .crashed], to: .running, .powerOn)
    }

    public func pause(_ instance: InstanceID) async throws { try await transition(instance, from: [.running], to: .paused, .pause) }
    public func unpause(_ instance: InstanceID) async throws { try await transition(instance, from: [.paused], to: .running, .unpause) }
    public func suspend(_ instance: InstanceID) async throws { try await transition(instance, from: [.running, .paused], to: .suspended, .suspend) }
    public func resume(_ instance: InstanceID) async throws { try await transition(instance, from: [.suspended], to: .running, .resume) }

    public func powerState(_ instance: InstanceID) async -> PowerState { guestsById[instance]?.powerState ?? .noState }

    public func guests() async -> [InstanceID] { Array(guestsById.keys) }
    public func imagesInUse() async throws -> Set<ImageID> { Set(guestsById.values.compactMap(\.spec.imageId)) }

    /// The fake forwards nothing to its guests.
    public func sshForward(_ instance: InstanceID) async -> String? { nil }

    /// What the guest was spawned with (its config drive's files included), as later resizes and interface changes
    /// left it; nil for a guest the fake does not have.
    public func spec(_ instance: InstanceID) -> GuestSpec? { guestsById[instance]?.spec }

    public func snapshot(_ instance: InstanceID, to path: String) async throws -> String {
        try await perform(.snapshot)
        let guest = try guest(instance)
        let content = "fake snapshot of \(guest.spec.instanceId) (\(guest.spec.rootGB) GB root)\n"
        guard FileManager.default.createFile(atPath: path, contents: Data(content.utf8)) else {
            throw DriverError.failed("Could not write the snapshot to \(path).")
        }
        return "raw"
    }

    public func resize(_ instance: InstanceID, to spec: GuestSpec) async throws {
        try await perform(.resize)
        var guest = try guest(instance)
        guest.spec = spec
        guest.console.append("[fake] resized to \(spec.vcpus) vCPU, \(spec.memoryMB) MiB")
        guestsById[instance] = guest
    }

    public func attachedVolumes(_ instance: InstanceID) async throws -> [VolumeAttachmentSpec] { try guest(instance).volumes }

    /// Refuses a volume attached already, as a real hypervisor refuses a second device of the same id.
    public func attachVolume(_ instance: InstanceID, volume: VolumeAttachmentSpec) async throws {
        try await perform(.attachVolume)
        var guest = try guest(instance)
        guard !guest.volumes.contains(where: { $0.volumeId == volume.volumeId }) else {
            throw DriverError.failed("Volume \(volume.volumeId) is already attached to instance \(instance).")
        }
        guest.volumes.append(volume)
        guest.console.append("[fake] new disk: \(volume.volumeId)")
        guestsById[instance] = guest
    }

    public func detachVolume(_ instance: InstanceID, volumeId: String) async throws {
        try await perform(.detachVolume)
        var guest = try guest(instance)
        guest.volumes.removeAll { $0.volumeId == volumeId }
        guestsById[instance] = guest
    }

    public func attachInterface(_ instance: InstanceID, interface: GuestInterface) async throws {
        try await perform(.attachInterface)
        var guest = try guest(instance)
        guest.spec.interfaces.append(interface)
        guestsById[instance] = guest
    }

    public func detachInterface(_ instance: InstanceID, portId: PortID) async throws {
        try await perform(.detachInterface)
        var guest = try guest(instance)
        guest.spec.interfaces.removeAll { $0.portId == portId }
        guestsById[instance] = guest
    }

    public func consoleOutput(_ instance: InstanceID, lines: Int?) async throws -> String {
        let console = try guest(instance).console
        return (lines.map { Array(console.suffix($0)) } ?? console).joined(separator: "\n") + "\n"
    }

    public func remoteConsole(_ instance: InstanceID, kind: RemoteConsole.Kind) async throws -> RemoteConsole {
        _ = try guest(instance)
        // The fake has no console server; as Nova's fake driver, it names a port nothing listens on.
        return RemoteConsole(kind: kind, address: .tcp(host: "127.0.0.1", port: kind == .vnc ? 6969 : 6970))
    }

    public func triggerCrashDump(_ instance: InstanceID) async throws {
        try await transition(instance, from: [.running], to: .crashed, .crashDump)
    }

    // MARK: Live migration

    /// The guest waits, paused, for a `migrate` from the source; the destination it returns is `fake:<instance>`.
    public func prepareIncomingMigration(_ spec: GuestSpec) async throws -> String {
        guard guestsById[spec.instanceId] == nil else { throw DriverError.guestExists(spec.instanceId) }
        try await perform(.prepareMigration)
        guestsById[spec.instanceId] = Guest(spec: spec, powerState: .paused, console: ["[fake] waiting for the migration of \(spec.name)"], volumes: spec.volumes)
        return "fake:\(spec.instanceId)"
    }

    /// A running guest stops here (as QEMU's does once its state has gone), a stopped one stays stopped; fake drivers
    /// of other hosts are not told.
    public func migrate(_ instance: InstanceID, to destination: String) async throws {
        guard destination == "fake:\(instance)" else { throw DriverError.failed("\(destination) is not where instance \(instance) is awaited.") }
        try await perform(.migrate)
        var guest = try guest(instance)
        guard [.running, .paused, .shutdown].contains(guest.powerState) else { throw DriverError.invalidPowerState(instance, guest.powerState, "migrate") }
        if guest.powerState != .shutdown { guest.powerState = .paused }
        guest.console.append("[fake] migrate: sent to \(destination)")
        guestsById[instance] = guest
    }

    public func finishIncomingMigration(_ instance: InstanceID) async throws {
        var guest = try guest(instance)
        guest.powerState = .running
        guest.console.append("[fake] migrated here: running")
        guestsById[instance] = guest
    }
}
