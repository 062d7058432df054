import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Messaging
import NetworkAPI
import ServiceClients
import StratusCore

/// `POST /servers/{id}/action`: power and lock actions, console output, reset state; and the delete the server
/// controller starts. An action in the wrong state is Nova's 409.
struct ServerActionController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("servers/{id}/action", use: action)
    }

    /// A power action: the states it may start from, the task state it sets, and what the host is told.
    struct PowerAction {
        let from: Set<VMState>
        let task: TaskState
        let operation: OperateInstance.Operation
    }

    static let powerActions: [String: PowerAction] = [
        "os-stop": PowerAction(from: [.active, .rescued, .error], task: .poweringOff, operation: .stop),
        "os-start": PowerAction(from: [.stopped], task: .poweringOn, operation: .start),
        "pause": PowerAction(from: [.active], task: .pausing, operation: .pause),
        "unpause": PowerAction(from: [.paused], task: .unpausing, operation: .unpause),
        "suspend": PowerAction(from: [.active], task: .suspending, operation: .suspend),
        "resume": PowerAction(from: [.suspended], task: .resuming, operation: .resume),
        "trigger_crash_dump": PowerAction(from: [.active, .paused, .rescued, .resized, .error], task: .rebooting, operation: .crashDump),
    ]

    @Sendable func action(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        var instance = try await ServerController.visibleInstance(try context.parameters.require("id"), auth: auth, api: api)
        var request = request
        let body = try await request.jsonObject(context: context)
        guard body.count == 1, let (name, argument) = body.first else {
            throw StratusError.badRequest("Malformed request body: exactly one action is expected.")
        }
        let token = request.headers[.authToken] ?? ""
        switch name {
        case "os-getConsoleOutput":
            return try await consoleOutput(instance, argument: argument)
        case "os-getVNCConsole", "os-getSerialConsole":
            return try await RemoteConsoleController(api: api)
                .legacyAction(name, argument: argument, instance: instance, auth: auth, version: context.apiVersion)
        case "lock":
            try auth.requireWriter("os_compute_api:os-lock-server:lock")
            var reason: String?
            if context.apiVersion >= APIVersion(2, 73), case .object(let fields) = argument, let value = fields["locked_reason"] {
                guard case .string(let text) = value, text.count <= 255 else { throw BodyReader.invalid("locked_reason", value, "is not a string of at most 255") }
                reason = text
            }
            instance.locked = true
            instance.lockedReason = reason
            try await save(instance)
            return JSONResponse.empty(status: .accepted)
        case "unlock":
            try auth.requireWriter("os_compute_api:os-lock-server:unlock")
            instance.locked = false
            instance.lockedReason = nil
            try await save(instance)
            return JSONResponse.empty(status: .accepted)
        case "os-resetState":
            try auth.requireAdmin("os_compute_api:os-admin-actions:reset_state")
            guard case .object(let fields) = argument, case .string(let state)? = fields["state"], ["active", "error"].contains(state) else {
                throw StratusError.badRequest("Invalid input for field/attribute state. Value must be 'active' or 'error'.")
            }
            instance.vmState = state == "active" ? .active : .error
            instance.taskState = nil
            try await save(instance)
            return JSONResponse.empty(status: .accepted)
        case "createImage":
            try auth.requireWriter("os_compute_api:servers:create_image")
            var body = BodyReader(Self.object(argument), path: "createImage")
            guard let name = try body.string("name") else {
                throw StratusError.badRequest("Invalid input for field/attribute createImage. 'name' is a required property")
            }
            let metadata = try body.stringMap("metadata") ?? [:]
            try body.finish()
            try check("createImage", instance, from: [.active, .stopped, .paused, .suspended], auth: auth)
            guard !instance.isVolumeBacked else {
                throw StratusError.conflict("Cannot 'createImage' instance \(instance.id): it boots from a volume, and snapshots of volume-backed servers are not available in this cloud; snapshot the volume instead.")
            }
            instance.taskState = .imageSnapshot
            try await begin("createImage", &instance)
            let imageId = try await snapshotImage(name, of: instance, metadata: metadata)
            try await recordAction("createImage", instance, auth: auth, context: context)
            try await api.computeRPC.snapshot(instance.id, on: instance.host!, into: imageId, credentials: credentials(auth, instance, context.requestID, token))
            let location = api.baseURL.replacingOccurrences(of: "/compute", with: "/image") + "/v2/images/\(imageId)"
            if context.apiVersion >= APIVersion(2, 45) {
                return try JSONResponse.make(JSONValue.object(["image_id": .string(imageId.rawValue)]), status: .accepted)
            }
            return JSONResponse.empty(status: .accepted, headers: [.location: location])
        case "resize":
            guard case .object(let fields) = argument, case .string(let flavorRef)? = fields["flavorRef"] else {
                throw StratusError.badRequest("Invalid input for field/attribute resize. 'flavorRef' is a required property")
            }
            return try await resize(instance, to: flavorRef, auth: auth, context: context, token: token)
        case "confirmResize":
            try auth.requireWriter("os_compute_api:servers:confirm_resize")
            guard instance.vmState == .resized, instance.taskState == nil else {
                throw StratusError.conflict("Cannot 'confirmResize' instance \(instance.id) while it is in vm_state \(instance.vmState.rawValue)")
            }
            if try await movedToAnotherHost(instance) {
                // The source's copy goes first: the conductor ends the confirm.
                instance.taskState = .resizeConfirming
                try await begin("confirmResize", &instance)
                try await recordAction("confirmResize", instance, auth: auth, context: context)
                try await api.conductorRPC.finishColdMigration(instance.id, confirm: true, credentials: credentials(auth, instance, context.requestID, token))
                return JSONResponse.empty()
            }
            instance.vmState = instance.powerState == .running ? .active : .stopped
            instance.oldFlavor = nil
            try await begin("confirmResize", &instance)
            try await recordAction("confirmResize", instance, auth: auth, context: context)
            _ = try await api.backend.migrations.setMigrationStatus(instance: instance.id, to: .confirmed, at: api.now)
            return JSONResponse.empty()
        case "revertResize":
            try auth.requireWriter("os_compute_api:servers:revert_resize")
            guard instance.vmState == .resized, instance.taskState == nil, let old = instance.oldFlavor else {
                throw StratusError.conflict("Cannot 'revertResize' instance \(instance.id) while it is in vm_state \(instance.vmState.rawValue)")
            }
            let moved = try await movedToAnotherHost(instance)
            instance.taskState = .resizeReverting
            try await begin("revertResize", &instance)
            try await recordAction("revertResize", instance, auth: auth, context: context)
            _ = try await api.backend.migrations.setMigrationStatus(instance: instance.id, to: .reverting, at: api.now)
            let credentials = credentials(auth, instance, context.requestID, token)
            if moved {
                try await api.conductorRPC.finishColdMigration(instance.id, confirm: false, credentials: credentials)
            } else {
                try await api.conductorRPC.resize(instance.id, to: old, reverting: true, credentials: credentials)
            }
            return JSONResponse.empty(status: .accepted)
        case "rebuild":
            try Self.refuseWithVolumes("rebuild", instance)
            return try await rebuild(instance, argument: argument, auth: auth, context: context, token: token)
        case "shelve":
            try Self.refuseWithVolumes("shelve", instance)
            return try await shelve(instance, auth: auth, context: context, token: token)
        case "unshelve":
            return try await unshelve(instance, argument: argument, auth: auth, context: context, token: token)
        case "restore":
            return try await restore(instance, auth: auth, context: context, token: token)
        case "os-migrateLive":
            return try await liveMigrate(instance, argument: argument, auth: auth, context: context, token: token)
        case "migrate":
            return try await migrate(instance, argument: argument, auth: auth, context: context, token: token)
        case "evacuate":
            return try await evacuate(instance, argument: argument, auth: auth, context: context, token: token)
        case "forceDelete":
            try auth.requireWriter("os_compute_api:os-deferred-delete:force")
            try await delete(instance, soft: false, auth: auth, requestId: context.requestID, token: token)
            return JSONResponse.empty(status: .accepted)
        case "reboot":
            guard case .object(let fields) = argument, case .string(let type)? = fields["type"], ["SOFT", "HARD"].contains(type.uppercased()) else {
                throw StratusError.badRequest("Invalid input for field/attribute reboot. 'type' must be 'SOFT' or 'HARD'")
            }
            let hard = type.uppercased() == "HARD"
            let action = hard
                ? PowerAction(from: [.active, .stopped, .paused, .suspended, .error], task: .rebootingHard, operation: .hardReboot)
                : PowerAction(from: [.active], task: .rebooting, operation: .softReboot)
            return try await perform("reboot", action, on: instance, auth: auth, context: context, token: token)
        default:
            guard let action = Self.powerActions[name] else { throw StratusError.badRequest("There is no such action: \(name.prefix(64))") }
            if name == "trigger_crash_dump", context.apiVersion < APIVersion(2, 17) {
                throw StratusError.badRequest("There is no such action: trigger_crash_dump")
            }
            return try await perform(name, action, on: instance, auth: auth, context: context, token: token)
        }
    }

    /// Resize on the same host: Nova's checks, task state `resize_prep`, then the conductor moves the claim.
    private func resize(_ instance: Instance, to flavorRef: String, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireWriter("os_compute_api:servers:resize")
        try check("resize", instance, from: [.active, .stopped], auth: auth)
        let flavor: Flavor
        do {
            flavor = try await FlavorController(api: api).visibleFlavor(flavorRef, auth: auth)
        } catch {
            throw StratusError.badRequest("Unable to find flavor \(flavorRef.prefix(64)).")
        }
        guard flavor.id != instance.flavor.id else { throw StratusError.badRequest("When resizing, instances must change flavor!") }
        guard flavor.rootGB >= instance.flavor.rootGB || flavor.rootGB == 0 else {
            throw StratusError.badRequest("Resize error: Unable to resize disk down.")
        }
        var instance = instance
        instance.taskState = .resizePrep
        try await begin("resize", &instance)
        try await recordAction("resize", instance, auth: auth, context: context)
        try await api.conductorRPC.resize(
            instance.id, to: InstanceFlavor(flavor), reverting: false, credentials: credentials(auth, instance, context.requestID, token)
        )
        return JSONResponse.empty(status: .accepted)
    }

    func recordAction(_ name: String, _ instance: Instance, auth: AuthContext, context: StratusRequestContext) async throws {
        try await api.repository.recordAction(InstanceAction(
            instanceId: instance.id, requestId: context.requestID, action: name, userId: auth.userId, projectId: instance.projectId, startTime: api.now
        ))
    }

    static func object(_ value: JSONValue) -> [String: JSONValue] {
        if case .object(let fields) = value { return fields }
        return [:]
    }

    /// Records the instance as the action changed it (its task state set), unless another operation started
    /// meanwhile: then Nova's 409.
    func begin(_ name: String, _ instance: inout Instance) async throws {
        instance.updatedAt = api.now
        guard try await api.repository.updateInstance(instance, expectedTaskStates: [nil]) else {
            throw StratusError.conflict("Cannot '\(name)' instance \(instance.id) while another operation is in progress")
        }
    }

    /// A queued image for a snapshot of the instance, whose task state was set; a failure clears the task state.
    func snapshotImage(_ name: String, of instance: Instance, metadata: [String: String]) async throws -> ImageID {
        do {
            return try await api.images.createSnapshot(name: name, of: instance, metadata: metadata)
        } catch {
            var cleared = instance
            cleared.taskState = nil
            _ = try await api.repository.updateInstance(cleared, expectedTaskStates: [instance.taskState])
            throw error
        }
    }

    private func save(_ instance: Instance) async throws {
        var instance = instance
        instance.updatedAt = api.now
        _ = try await api.repository.updateInstance(instance, expectedTaskStates: nil)
    }

    /// 409 unless the instance may do `name` now: unlocked (or admin), no task running, in one of the states.
    /// A rebuild or shelve makes the guest anew on its host (or on none), which would lose its volumes: refused while
    /// it has any, until the host re-attaches them.
    static func refuseWithVolumes(_ name: String, _ instance: Instance) throws {
        guard instance.volumeAttachments.isEmpty else {
            throw StratusError.conflict("Cannot '\(name)' instance \(instance.id) while it has volumes attached; detach them first.")
        }
    }

    func check(_ name: String, _ instance: Instance, from states: Set<VMState>, auth: AuthContext) throws {
        if instance.locked, !auth.isAdmin { throw StratusError.conflict("Instance \(instance.id) is locked") }
        if let task = instance.taskState {
            throw StratusError.conflict("Cannot '\(name)' instance \(instance.id) while it is in task_state \(task.rawValue)")
        }
        guard states.contains(instance.vmState) else {
            throw StratusError.conflict("Cannot '\(name)' instance \(instance.id) while it is in vm_state \(instance.vmState.rawValue)")
        }
        guard instance.host != nil else {
            throw StratusError.conflict("Cannot '\(name)' instance \(instance.id) while it is not on a host")
        }
    }

    /// Sets the task state (only if no other task started meanwhile), records the action and tells the host.
    private func perform(
        _ name: String, _ action: PowerAction, on instance: Instance, auth: AuthContext, context: StratusRequestContext, token: String
    ) async throws -> Response {
        try auth.requireWriter("os_compute_api:servers:\(name)")
        try check(name, instance, from: action.from, auth: auth)
        var instance = instance
        instance.taskState = action.task
        try await begin(name, &instance)
        try await recordAction(Self.actionName(action.operation), instance, auth: auth, context: context)
        try await api.computeRPC.operate(action.operation, instance.id, on: instance.host!, credentials: credentials(auth, instance, context.requestID, token))
        return JSONResponse.empty(status: .accepted)
    }

    /// Nova's instance action names.
    static func actionName(_ operation: OperateInstance.Operation) -> String {
        switch operation {
        case .stop: "stop"
        case .start: "start"
        case .softReboot, .hardReboot: "reboot"
        case .pause: "pause"
        case .unpause: "unpause"
        case .suspend: "suspend"
        case .resume: "resume"
        case .delete: "delete"
        case .crashDump: "trigger_crash_dump"
        case .softDelete: "delete"
        case .restore: "restore"
        }
    }

    func credentials(_ auth: AuthContext, _ instance: Instance, _ requestId: String, _ token: String) -> Credentials {
        Credentials(
            requestId: requestId, token: token, userId: auth.userId, userDomainId: auth.userDomainId,
            projectId: auth.projectId ?? instance.projectId, roles: auth.roles
        )
    }

    private func consoleOutput(_ instance: Instance, argument: JSONValue) async throws -> Response {
        var length: Int?
        if case .object(let fields) = argument, let value = fields["length"] {
            switch value {
            case .null: length = nil
            case .number(let number) where number.rounded() == number && number >= -1: length = number < 0 ? nil : Int(number)
            case .string(let text) where Int(text).map { $0 >= -1 } == true: length = Int(text)! < 0 ? nil : Int(text)
            default: throw BodyReader.invalid("length", value, "is not a valid length")
            }
        }
        guard let host = instance.host, instance.vmState != .building else {
            throw StratusError.conflict("Instance \(instance.id) is not ready")
        }
        do {
            try await api.requireUp(host)
            let output = try await api.computeRPC.consoleOutput(instance.id, on: host, length: length)
            return try JSONResponse.make(JSONValue.object(["output": .string(output)]))
        } catch let fault as RemoteFault {
            throw StratusError.conflict("Console output of instance \(instance.id) is not available: \(fault.message)")
        }
    }

    /// Deletes the instance: on its host through the compute service, or here when it is on none. A `soft` delete
    /// (Nova's with `reclaim_instance_interval` set) of a launched, idle instance only powers it off as SOFT_DELETED,
    /// restorable until the conductor reclaims it.
    func delete(_ instance: Instance, soft: Bool, auth: AuthContext, requestId: String, token: String) async throws {
        if instance.locked, !auth.isAdmin { throw StratusError.conflict("Instance \(instance.id) is locked") }
        var instance = instance
        let previous = instance.taskState
        let softly = soft && instance.host != nil && instance.launchedAt != nil && previous == nil && instance.vmState != .softDeleted
        instance.taskState = softly ? .softDeleting : .deleting
        if softly { instance.deletedAt = api.now }
        instance.updatedAt = api.now
        guard try await api.repository.updateInstance(instance, expectedTaskStates: [previous]) else {
            throw StratusError.conflict("Cannot 'delete' instance \(instance.id) while another operation is in progress")
        }
        try await api.repository.recordAction(InstanceAction(
            instanceId: instance.id, requestId: requestId, action: "delete", userId: auth.userId, projectId: instance.projectId, startTime: api.now
        ))
        if let host = instance.host, previous != .scheduling {
            try await api.computeRPC.operate(
                softly ? .softDelete : .delete, instance.id, on: host, credentials: credentials(auth, instance, requestId, token),
                volumes: instance.volumeAttachments
            )
            return
        }
        // Never placed (or still being scheduled), or shelved off its host: nothing runs anywhere; the conductor sees
        // it gone and frees any claim. An offloaded instance's ports and shelved image go with it.
        if instance.vmState == .shelvedOffloaded {
            let caller = ServiceCaller(auth: auth, token: token)
            for port in try await api.network.ports(deviceId: instance.id.rawValue, caller: caller) {
                try await api.network.deletePort(port.id, caller: caller)
            }
            if let image = instance.shelvedImageId { try await api.images.deleteImage(image) }
        }
        _ = try await api.repository.releaseClaim(instance: instance.id)
        try await api.repository.removeMember(instance.id)
        let time = api.now
        instance.vmState = .deleted
        instance.taskState = nil
        instance.deletedAt = time
        instance.terminatedAt = time
        _ = try await api.repository.updateInstance(instance, expectedTaskStates: nil)
    }
}
