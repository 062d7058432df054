import Foundation
import GuestMetadata
public import Logging
public import Messaging
public import ServiceClients
public import StratusCore
public import Virt

/// nova-compute for one host: runs the driver for the instances the conductor sends here, plugs them into the
/// network service, and reports every change back through the conductor. It never opens the database.
public struct ComputeManager: Sendable {
    public let host: String
    let driver: any HypervisorDriver
    let conductor: ConductorRPCAPI
    let network: any NetworkClient
    let images: any ImageServiceClient
    /// The volume service, for attaching volumes (nil: the host attaches none).
    let volumes: (any VolumeServiceClient)?
    /// The host's image cache, for drivers that boot from image files (nil for the fake driver).
    let imageCache: ImageCache?
    /// Nova's `force_config_drive`: every guest gets a config drive.
    let forceConfigDrive: Bool
    /// The host's own identity towards the network service (binding ports needs admin), as Nova's service user.
    let serviceCaller: ServiceCaller
    let clock: any WallClock
    let logger: Logger
    /// What the start's recovery does with a guest no instance of the host owns.
    let orphanedGuestAction: ComputeSettings.OrphanedGuestAction
    let queue = InstanceQueue()

    public init(
        host: String, driver: any HypervisorDriver, rpc: RPCClient, network: any NetworkClient, images: any ImageServiceClient,
        volumes: (any VolumeServiceClient)? = nil, imageCache: ImageCache? = nil, forceConfigDrive: Bool = false, serviceCaller: ServiceCaller,
        clock: any WallClock, logger: Logger, orphanedGuestAction: ComputeSettings.OrphanedGuestAction = .shutdown
    ) {
        self.host = host
        self.driver = driver
        conductor = ConductorRPCAPI(rpc)
        self.network = network
        self.images = images
        self.volumes = volumes
        self.imageCache = imageCache
        self.forceConfigDrive = forceConfigDrive
        self.serviceCaller = serviceCaller
        self.clock = clock
        self.logger = logger
        self.orphanedGuestAction = orphanedGuestAction
    }

    var now: Timestamp { Timestamp(clock.now()) }

    /// The host's RPC server on `compute.<host>`.
    public func server(transport: any MessageTransport) -> RPCServer {
        var server = RPCServer(topic: Topic.compute(host), transport: transport) { [logger, host] method, error in
            logger.error("compute \(host): \(method) failed: \(error)")
        }
        server.on(BuildAndRunInstance.self) { message, _ in
            await queue.run(message.instance.id) { await build(message) }
        }
        server.on(OperateInstance.self) { message, _ in
            await queue.run(message.instanceId) { await operate(message) }
        }
        server.on(SnapshotInstance.self) { message, _ in
            await queue.run(message.instanceId) { await snapshot(message) }
        }
        server.on(ResizeGuest.self) { message, _ in
            await queue.run(message.instance.id) { await resize(message) }
        }
        server.on(RebuildGuest.self) { message, _ in
            await queue.run(message.instance.id) { await rebuild(message) }
        }
        server.on(ShelveInstance.self) { message, _ in
            await queue.run(message.instanceId) { await shelve(message) }
        }
        server.answer(AttachVolume.self) { message, _ in
            try await queue.call(message.instanceId) { try await attachVolume(message) }
        }
        server.answer(DetachVolume.self) { message, _ in
            try await queue.call(message.instanceId) { try await detachVolume(message) }
        }
        server.answer(PrepareMigration.self) { message, _ in
            try await queue.call(message.instance.id) { try await prepareMigration(message) }
        }
        server.on(SendGuest.self) { message, _ in
            await queue.run(message.instanceId) { await sendGuest(message) }
        }
        server.on(TakeOverGuest.self) { message, _ in
            await queue.run(message.instance.id) { await takeOverGuest(message) }
        }
        server.on(RevertGuest.self) { message, _ in
            await queue.run(message.instance.id) { await revertGuest(message) }
        }
        server.on(RebuildEvacuated.self) { message, _ in
            await queue.run(message.instance.id) { await rebuildEvacuated(message) }
        }
        server.on(RemoveMovedGuest.self) { message, _ in
            await queue.run(message.instanceId) { await removeMovedGuest(message) }
        }
        server.answer(GetHostUptime.self) { _, _ in try HostUptime.read() }
        server.answer(GetConsoleOutput.self) { message, _ in
            try await driver.consoleOutput(message.instanceId, lines: message.length)
        }
        server.answer(GetRemoteConsole.self) { message, _ in
            try await driver.remoteConsole(message.instanceId, kind: message.kind)
        }
        return server
    }

    /// The node record the host reports: its driver's resources, alive now.
    public func nodeReport() async throws -> ComputeNode {
        let resources = try await driver.hostResources()
        let time = now
        return ComputeNode(
            id: ComputeNodeID(Self.nodeId(host)), host: host, lastHeartbeat: time, hypervisorType: resources.hypervisorType,
            hypervisorVersion: resources.hypervisorVersion, cpuArchitecture: resources.cpuArchitecture,
            accelerator: resources.accelerator, vcpus: resources.vcpus,
            memoryMB: resources.memoryMB, diskGB: resources.diskGB, createdAt: time, updatedAt: time
        )
    }

    /// The same id for a host name at every start (a UUID hashed from the name), so a restarted host is the same hypervisor.
    static func nodeId(_ host: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for round in 0..<2 {
            for byte in host.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            for index in 0..<8 { bytes[round * 8 + index] = UInt8(truncatingIfNeeded: hash >> (index * 8)) }
        }
        bytes[6] = bytes[6] & 0x0f | 0x50  // version 5 layout: name-based
        bytes[8] = bytes[8] & 0x3f | 0x80  // RFC 4122 variant
        let uuid = UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                               bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
        return uuid.uuidString.lowercased()
    }

    // MARK: Build

    /// Builds a new instance, or unshelves one: that boots from its shelved image, on the ports it kept.
    private func build(_ message: BuildAndRunInstance) async {
        let instance = message.instance
        let credentials = message.credentials
        let unshelving = instance.vmState == .shelvedOffloaded
        let event = unshelving ? "compute_unshelve_instance" : "compute_build_and_run_instance"
        // The event starts with the build's first change, and finishes with its last (no message of its own).
        var start: RecordActionEvent? = actionEvent(instance.id, credentials.requestId, event, start: now)
        func started() -> RecordActionEvent? {
            defer { start = nil }
            return start
        }
        var ports: [NetworkPort] = []
        // Ports this build made, which a failure deletes; an unshelved instance's ports are its own.
        var created: [NetworkPort] = []
        // The volumes this build attached (and made), which a failure gives back.
        var volumes = BuildVolumes()
        do {
            if unshelving {
                ports = try await rebindPorts(instance)
            } else {
                guard try await change(instance.id, InstanceChanges(taskState: .set(.networking)), expected: [.scheduling], recording: started()) else { return }
                ports = try await allocatePorts(instance, credentials: credentials)
                created = ports
            }
            var vifs: [InstanceVIF] = []
            for port in ports {
                let name = (try? await network.network(port.networkId, caller: caller(credentials)).name) ?? ""
                vifs.append(InstanceVIF(portId: port.id, networkId: port.networkId, networkName: name, macAddress: port.macAddress,
                                        fixedIps: port.fixedIps.map(\.ipAddress)))
            }
            var before: TaskState = unshelving ? .unshelving : .networking
            if !unshelving, !instance.requestedVolumes.isEmpty {
                guard try await change(
                    instance.id, InstanceChanges(taskState: .set(.blockDeviceMapping), networkInfo: vifs), expected: [before], recording: started()
                ) else {
                    try await cleanUp(instance.id, ports: created, credentials: credentials)
                    return
                }
                before = .blockDeviceMapping
                volumes = try await prepareVolumes(instance, credentials: credentials)
            }
            let spawning = InstanceChanges(
                taskState: .set(.spawning), networkInfo: vifs, volumeAttachments: volumes.attachments.isEmpty ? nil : volumes.attachments
            )
            guard try await change(instance.id, spawning, expected: [before], recording: started()) else {
                try await cleanUp(instance.id, ports: created, credentials: credentials)
                await release(volumes, of: instance.id, credentials: credentials)
                return
            }
            var spec = try await newGuestSpec(instance, interfaces: vifs, credentials: credentials)
            spec.imageId = instance.shelvedImageId ?? instance.imageId
            spec.volumes = volumes.specs
            try await spawn(spec, credentials: credentials)
            try await complete(volumes, credentials: credentials)
            let active = InstanceChanges(
                vmState: .active, taskState: .clear, powerState: .running, launchedAt: now, clearShelvedImage: true,
                sshForward: await driver.sshForward(instance.id), configDrive: spec.configDriveFiles != nil ? true : nil
            )
            let success = actionEvent(instance.id, credentials.requestId, event, start: nil, result: "Success")
            if try await change(instance.id, active, expected: [.spawning], recording: success) {
                if let shelved = instance.shelvedImageId { try? await images.discard(shelved, credentials: credentials) }
            } else {
                // Deleted while spawning: the delete gives back the volumes it finds on record, and finds nothing else left to do.
                try await cleanUp(instance.id, ports: created, credentials: credentials)
            }
        } catch {
            logger.warning("compute \(host): build of \(instance.id) failed: \(error)")
            try? await cleanUp(instance.id, ports: created, credentials: credentials)
            if !volumes.attachments.isEmpty {
                await release(volumes, of: instance.id, credentials: credentials)
                _ = try? await change(instance.id, InstanceChanges(volumeAttachments: []), expected: nil)
            }
            await recordEvent(instance.id, credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            try? await conductor.buildFailed(instance.id, on: host, reason: Self.reason(error), alternates: message.alternates, credentials: credentials)
        }
    }

    /// The instance's ports, as its boot asked (`auto`: the project's auto-allocated network), bound to this host.
    private func allocatePorts(_ instance: Instance, credentials: Credentials) async throws -> [NetworkPort] {
        let user = caller(credentials)
        let nics: [RequestedNetworks.NIC]
        switch instance.requestedNetworks {
        case .none: return []
        case .auto: nics = [RequestedNetworks.NIC(networkId: try await network.autoAllocatedNetwork(project: instance.projectId, caller: user))]
        case .list(let list): nics = list
        }
        // The boot's security groups for the ports made here (nil: the project's default group).
        var groups: [SecurityGroupID]?
        if instance.securityGroups != ["default"] {
            let found = try await network.securityGroupIds(named: instance.securityGroups, project: instance.projectId, caller: user)
            groups = instance.securityGroups.compactMap { found[$0] }
        }
        var ports: [NetworkPort] = []
        do {
            for nic in nics {
                var portId = nic.portId
                if portId == nil, let networkId = nic.networkId {
                    let request = PortRequest(
                        networkId: networkId, projectId: instance.projectId, fixedIps: nic.fixedIp.map { [.init(ipAddress: $0)] },
                        deviceId: instance.id.rawValue, deviceOwner: "compute:\(instance.availabilityZone ?? "nova")", securityGroups: groups
                    )
                    portId = try await network.createPort(request, caller: user).id
                }
                guard let portId else { continue }
                ports.append(try await network.bindPort(
                    portId, host: host, deviceId: instance.id.rawValue, deviceOwner: "compute:\(instance.availabilityZone ?? "nova")",
                    caller: serviceCaller
                ))
            }
        } catch {
            try? await deletePorts(ports, credentials: credentials)
            throw error
        }
        return ports
    }

    /// An unshelved instance's ports, bound to this host now.
    func rebindPorts(_ instance: Instance) async throws -> [NetworkPort] {
        var ports: [NetworkPort] = []
        for vif in instance.networkInfo {
            ports.append(try await network.bindPort(
                vif.portId, host: host, deviceId: instance.id.rawValue, deviceOwner: "compute:\(instance.availabilityZone ?? "nova")",
                caller: serviceCaller
            ))
        }
        return ports
    }

    /// What the driver is given for `instance` at `flavor`'s size; `networks` gives each port the subnets of its addresses.
    func guestSpec(
        _ instance: Instance, flavor: InstanceFlavor, interfaces: [InstanceVIF], networks: [NetworkID: NetworkDetails] = [:]
    ) -> GuestSpec {
        GuestSpec(
            instanceId: instance.id, name: instance.name, hostname: instance.hostname, vcpus: flavor.vcpus, memoryMB: flavor.memoryMB,
            rootGB: flavor.rootGB, ephemeralGB: flavor.ephemeralGB, swapMB: flavor.swapMB, imageId: instance.imageId,
            interfaces: interfaces.map { vif in
                let subnets = (networks[vif.networkId]?.subnets ?? []).filter { subnet in vif.fixedIps.contains { subnet.cidr.contains($0) } }
                return GuestInterface(
                    portId: vif.portId, networkId: vif.networkId, macAddress: vif.macAddress, addresses: vif.fixedIps,
                    subnets: subnets.map { GuestSubnet(cidr: $0.cidr, gateway: $0.gatewayIp) }
                )
            },
            userData: instance.userData, metadata: instance.metadata, publicKey: instance.publicKey
        )
    }

    /// What the driver is given to create the guest on `interfaces`: the ports with their subnets, from the network
    /// service, and the config drive's files when the boot asked for one or the host gives every guest one.
    func newGuestSpec(_ instance: Instance, interfaces: [InstanceVIF], credentials: Credentials) async throws -> GuestSpec {
        let user = caller(credentials)
        var networks: [NetworkID: NetworkDetails] = [:]
        for networkId in Set(interfaces.map(\.networkId)) {
            let mtu = try await network.network(networkId, caller: user).mtu
            networks[networkId] = NetworkDetails(mtu: mtu, subnets: try await network.subnets(network: networkId, caller: user))
        }
        var spec = guestSpec(instance, flavor: instance.flavor, interfaces: interfaces, networks: networks)
        if instance.configDrive || forceConfigDrive {
            var plugged = instance
            plugged.networkInfo = interfaces
            spec.configDriveFiles = try MetadataDocuments(for: plugged, networks: networks).configDriveFiles
        }
        return spec
    }

    /// Spawns the guest (see `onCachedImage`).
    func spawn(_ spec: GuestSpec, credentials: Credentials) async throws {
        try await onCachedImage(spec, credentials: credentials) { try await driver.spawn($0) }
    }

    /// Runs `make` (which makes the guest's disks) on the spec; for drivers that boot from files (the cache is nil
    /// otherwise), with its image's file from the host's cache, leased until the guest's disk is made on it so the
    /// cache cleanup leaves it alone.
    func onCachedImage<T: Sendable>(_ spec: GuestSpec, credentials: Credentials, _ make: (GuestSpec) async throws -> T) async throws -> T {
        guard let imageCache, let imageId = spec.imageId else { return try await make(spec) }
        let cached = try await imageCache.fetch(imageId, from: images, credentials: credentials)
        var spec = spec
        spec.imagePath = cached.path
        spec.imageDiskFormat = cached.diskFormat
        do {
            let made = try await make(spec)
            await imageCache.release(imageId)
            return made
        } catch {
            await imageCache.release(imageId)
            throw error
        }
    }

    func cleanUp(_ id: InstanceID, ports: [NetworkPort], credentials: Credentials) async throws {
        try await driver.destroy(id)
        try await deletePorts(ports, credentials: credentials)
    }

    private func deletePorts(_ ports: [NetworkPort], credentials: Credentials) async throws {
        for port in ports { try await network.deletePort(port.id, caller: caller(credentials)) }
    }

    // MARK: Operations

    private func operate(_ message: OperateInstance) async {
        let id = message.instanceId
        let event = "compute_\(message.operation.rawValue)"
        await recordEvent(id, message.credentials.requestId, event, start: now)
        do {
            var changes: InstanceChanges
            let expected: TaskState
            switch message.operation {
            case .stop:
                try await driver.powerOff(id)
                (changes, expected) = (InstanceChanges(vmState: .stopped, taskState: .clear, powerState: .shutdown), .poweringOff)
            case .start:
                try await driver.powerOn(id)
                (changes, expected) = (InstanceChanges(vmState: .active, taskState: .clear, powerState: .running), .poweringOn)
            case .softReboot, .hardReboot:
                try await driver.reboot(id, hard: message.operation == .hardReboot)
                (changes, expected) = (InstanceChanges(vmState: .active, taskState: .clear, powerState: .running),
                                       message.operation == .hardReboot ? .rebootingHard : .rebooting)
            case .pause:
                try await driver.pause(id)
                (changes, expected) = (InstanceChanges(vmState: .paused, taskState: .clear, powerState: .paused), .pausing)
            case .unpause:
                try await driver.unpause(id)
                (changes, expected) = (InstanceChanges(vmState: .active, taskState: .clear, powerState: .running), .unpausing)
            case .suspend:
                try await driver.suspend(id)
                (changes, expected) = (InstanceChanges(vmState: .suspended, taskState: .clear, powerState: .suspended), .suspending)
            case .resume:
                try await driver.resume(id)
                (changes, expected) = (InstanceChanges(vmState: .active, taskState: .clear, powerState: .running), .resuming)
            case .softDelete:
                if await driver.powerState(id) != .shutdown { try await driver.powerOff(id) }
                (changes, expected) = (InstanceChanges(vmState: .softDeleted, taskState: .clear, powerState: .shutdown), .softDeleting)
            case .restore:
                try await driver.powerOn(id)
                (changes, expected) = (InstanceChanges(vmState: .active, taskState: .clear, powerState: .running), .restoring)
            case .crashDump:
                try await driver.triggerCrashDump(id)
                await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Success")
                return
            case .delete:
                try await driver.destroy(id)
                let ports = try await network.ports(deviceId: id.rawValue, caller: caller(message.credentials))
                try await deletePorts(ports, credentials: message.credentials)
                await releaseVolumes(message.volumes, of: id, credentials: message.credentials)
                await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Success")
                try await conductor.instanceRemoved(id, requestId: message.credentials.requestId)
                return
            }
            // A guest that (re)started may forward its SSH from another port than before.
            if changes.vmState == .active { changes.sshForward = await driver.sshForward(id) }
            _ = try await change(id, changes, expected: [expected])
            await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Success")
        } catch {
            logger.warning("compute \(host): \(message.operation.rawValue) of \(id) failed: \(error)")
            await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            // The operation did not happen: clear the task state and record the power state the driver reports.
            _ = try? await change(id, InstanceChanges(taskState: .clear, powerState: await driver.powerState(id)), expected: nil)
        }
    }

    /// Writes the guest's disk to a temporary file and hands it to the image service; the task state clears either way.
    private func snapshot(_ message: SnapshotInstance) async {
        let id = message.instanceId
        let event = "compute_snapshot_instance"
        await recordEvent(id, message.credentials.requestId, event, start: now)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-snapshot-\(message.imageId)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            _ = try await driver.snapshot(id, to: path)
            try await images.upload(message.imageId, file: path, credentials: message.credentials)
            _ = try await change(id, InstanceChanges(taskState: .clear), expected: [.imageSnapshot])
            await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Success")
        } catch {
            logger.warning("compute \(host): snapshot of \(id) failed: \(error)")
            try? await images.discard(message.imageId, credentials: message.credentials)
            await recordEvent(id, message.credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            _ = try? await change(id, InstanceChanges(taskState: .clear), expected: nil)
        }
    }

    /// Gives the guest the new size: a resize waits for confirmation (VERIFY_RESIZE), a revert is done at once.
    private func resize(_ message: ResizeGuest) async {
        let instance = message.instance
        let event = message.reverting ? "compute_revert_resize" : "compute_resize_instance"
        await recordEvent(instance.id, message.credentials.requestId, event, start: now)
        do {
            try await driver.resize(instance.id, to: guestSpec(instance, flavor: message.flavor, interfaces: instance.networkInfo))
            let changes = message.reverting
                ? InstanceChanges(vmState: .active, taskState: .clear, flavor: message.flavor, clearOldFlavor: true, migrationStatus: .reverted)
                : InstanceChanges(vmState: .resized, taskState: .clear, flavor: message.flavor, oldFlavor: instance.flavor, migrationStatus: .finished)
            _ = try await change(instance.id, changes, expected: [message.reverting ? .resizeReverting : .resizePrep])
            await recordEvent(instance.id, message.credentials.requestId, event, start: nil, result: "Success")
        } catch {
            logger.warning("compute \(host): resize of \(instance.id) failed: \(error)")
            await recordEvent(instance.id, message.credentials.requestId, event, start: nil, result: "Error", details: "\(error)")
            let fault = InstanceFault(code: 500, message: Self.reason(error), created: now)
            _ = try? await change(instance.id, InstanceChanges(vmState: .error, taskState: .clear, fault: fault, migrationStatus: .error), expected: nil)
        }
    }

    // MARK: Reporting

    /// Asks the conductor to apply `changes` if the task state is one of `expected`; false when it was no longer. A 503 (the control plane lost its
    /// database for a moment) is asked again, a few times over 15 s: the change may have been applied already, and
    /// the conductor answers true to one that is in place.
    func change(_ id: InstanceID, _ changes: InstanceChanges, expected: [TaskState?]?, recording event: RecordActionEvent? = nil) async throws -> Bool {
        var attempt = 1
        while true {
            do {
                return try await conductor.update(id, changes, expected: expected, recording: event)
            } catch let fault as RemoteFault where fault.status == 503 && attempt < 5 {
                logger.warning("compute \(host): the conductor could not change \(id) (\(fault.message)); asking again")
                try await Task.sleep(for: .seconds(attempt))
                attempt += 1
            }
        }
    }

    /// Starts an event (`start` set) or finishes it with `result`.
    func recordEvent(
        _ id: InstanceID, _ requestId: String, _ name: String, start: Timestamp?, result: String? = nil, details: String? = nil
    ) async {
        let message = actionEvent(id, requestId, name, start: start, result: result, details: details)
        try? await conductor.recordEvent(message.event, of: id, requestId: requestId)
    }

    /// An event's start (`start` set) or its finish with `result`, to record.
    func actionEvent(
        _ id: InstanceID, _ requestId: String, _ name: String, start: Timestamp?, result: String? = nil, details: String? = nil
    ) -> RecordActionEvent {
        let event = InstanceAction.Event(name: name, startTime: start ?? now, finishTime: result == nil ? nil : now, result: result, host: host, details: details)
        return RecordActionEvent(instanceId: id, requestId: requestId, event: event)
    }

    /// The user as the network service sees it.
    func caller(_ credentials: Credentials) -> ServiceCaller {
        ServiceCaller(
            auth: AuthContext(
                userId: credentials.userId, userDomainId: credentials.userDomainId, projectId: credentials.projectId, domainId: nil,
                roles: credentials.roles, methods: ["token"], auditIds: [], issuedAt: now, expiresAt: now.adding(seconds: 3600)
            ),
            token: credentials.token
        )
    }

    /// A failure as an instance fault's message.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as DriverError: error.description
        case let error as OpenStackFault: error.message
        case let error as StratusError: error.fault.message
        case let error as RemoteFault: error.message
        default: "\(error)"
        }
    }
}
