import Database
import HTTPSupport
import Hummingbird
import Messaging
import ServiceClients
import StratusCore

/// Moving a server to another host.
extension ServerActionController {
    /// `os-migrateLive`: `host` (null: the scheduler picks) and `block_migration` (a boolean, or `auto` from 2.25;
    /// local disks always travel); before 2.25 also `disk_over_commit`, from 2.30 to 2.67 `force`. Admin only. The
    /// checks that need the hosts run after the 202 (as from 2.34): a migration that cannot happen ends in `error` and
    /// leaves the server ACTIVE where it was.
    func liveMigrate(_ instance: Instance, argument: JSONValue, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireAdmin("os_compute_api:os-migrate-server:migrate_live")
        let version = context.apiVersion
        var body = BodyReader(Self.object(argument), path: "os-migrateLive")
        guard case .object = argument else { throw BodyReader.invalid("os-migrateLive", argument, "is not of type 'object'") }
        guard body.contains("host") else { throw StratusError.badRequest("Invalid input for field/attribute os-migrateLive. 'host' is a required property") }
        let host = try body.nullableString("host") ?? nil
        switch body.raw("block_migration") {
        case .bool?: break
        case .string("auto")? where version >= APIVersion(2, 25): break
        case nil: throw StratusError.badRequest("Invalid input for field/attribute os-migrateLive. 'block_migration' is a required property")
        case let other?: throw BodyReader.invalid("block_migration", other, "\(other.shownInMessage) is not valid under any of the given schemas")
        }
        if version < APIVersion(2, 25) {
            guard case .bool? = body.raw("disk_over_commit") else {
                throw StratusError.badRequest("Invalid input for field/attribute os-migrateLive. 'disk_over_commit' is a required property")
            }
        }
        if version >= APIVersion(2, 30), version < APIVersion(2, 68) { _ = try body.bool("force") }
        try body.finish()
        try check("os-migrateLive", instance, from: [.active, .paused], auth: auth)
        try await checkDestination(host, of: instance)
        let credentials = try await beginMove("os-migrateLive", action: "live-migration", task: .migrating, instance, auth: auth, context: context, token: token)
        try await api.conductorRPC.liveMigrate(instance.id, to: host, credentials: credentials)
        return JSONResponse.empty(status: .accepted)
    }

    /// `migrate`: a cold migration of an ACTIVE or SHUTOFF server, to `host` (from 2.56; null or absent: the scheduler
    /// picks). Admin only. It ends in VERIFY_RESIZE on the destination, for `confirmResize` or `revertResize`.
    func migrate(_ instance: Instance, argument: JSONValue, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireAdmin("os_compute_api:os-migrate-server:migrate")
        var host: String?
        switch argument {
        case .null: break
        case .object(let fields):
            var body = BodyReader(fields, path: "migrate")
            if context.apiVersion >= APIVersion(2, 56) { host = try body.nullableString("host") ?? nil }
            try body.finish()
        default: throw BodyReader.invalid("migrate", argument, "\(argument.shownInMessage) is not of type 'object', 'null'")
        }
        try check("migrate", instance, from: [.active, .stopped], auth: auth)
        try await checkDestination(host, of: instance)
        let credentials = try await beginMove("migrate", action: "migrate", task: .resizePrep, instance, auth: auth, context: context, token: token)
        try await api.conductorRPC.migrate(instance.id, to: host, credentials: credentials)
        return JSONResponse.empty(status: .accepted)
    }

    /// `evacuate`: the server's host is down (Nova: its service is not up, or forced down); it is built again from its
    /// image on `host` (or one the scheduler picks), keeping its id, ports and addresses. `adminPass`; before 2.14
    /// `onSharedStorage` (required; no storage is shared here) and the password in the reply; 2.29 to 2.67 `force`.
    /// From 2.95 it ends SHUTOFF, before that as it was (ACTIVE, or SHUTOFF when it was stopped). Admin only.
    func evacuate(_ instance: Instance, argument: JSONValue, auth: AuthContext, context: StratusRequestContext, token: String) async throws -> Response {
        try auth.requireAdmin("os_compute_api:os-evacuate")
        let version = context.apiVersion
        guard case .object(let fields) = argument else { throw BodyReader.invalid("evacuate", argument, "is not of type 'object'") }
        var body = BodyReader(fields, path: "evacuate")
        let host = try body.string("host")
        var password = try body.string("adminPass")
        if version < APIVersion(2, 14) {
            switch body.raw("onSharedStorage") {
            case .bool(false)?, .string("False")?, .string("false")?: break
            case nil: throw StratusError.badRequest("Invalid input for field/attribute evacuate. 'onSharedStorage' is a required property")
            case let other?: throw BodyReader.invalid("onSharedStorage", other, "Stratus hosts share no instance storage")
            }
        }
        if version >= APIVersion(2, 29), version < APIVersion(2, 68) { _ = try body.bool("force") }
        try body.finish()
        if let host {
            guard try await api.repository.computeNode(host: host) != nil else { throw ComputeFault.notFound("Compute host \(host.prefix(255)) not found.") }
            guard host != instance.host else { throw StratusError.badRequest("The target host can't be the same one.") }
        }
        try check("evacuate", instance, from: [.active, .stopped, .error], auth: auth)
        if let source = instance.host, let node = try await api.repository.computeNode(host: source), api.isUp(node) {
            throw StratusError.badRequest("Compute service of \(source) is still in use.")
        }
        let credentials = try await beginMove("evacuate", action: "evacuate", task: .rebuilding, instance, auth: auth, context: context, token: token)
        let stopped = version >= APIVersion(2, 95) || instance.vmState == .stopped
        try await api.conductorRPC.evacuate(instance.id, to: host, stopped: stopped, credentials: credentials)
        guard version < APIVersion(2, 14) else { return JSONResponse.empty(status: .ok) }
        if password == nil { password = ServerController.password() }
        return try JSONResponse.make(JSONValue.object(["adminPass": .string(password ?? "")]))
    }

    /// Sets the move's task state (a 409 while another operation runs) and records its action; the credentials the
    /// conductor acts with.
    private func beginMove(
        _ name: String, action: String, task: TaskState, _ instance: Instance, auth: AuthContext, context: StratusRequestContext, token: String
    ) async throws -> Credentials {
        var instance = instance
        instance.taskState = task
        try await begin(name, &instance)
        try await recordAction(action, instance, auth: auth, context: context)
        return credentials(auth, instance, context.requestID, token)
    }

    /// A destination an admin names must be a known host other than the server's own.
    private func checkDestination(_ host: String?, of instance: Instance) async throws {
        guard let host else { return }
        guard try await api.repository.computeNode(host: host) != nil else { throw StratusError.badRequest("Compute host \(host.prefix(255)) could not be found.") }
        guard host != instance.host else { throw StratusError.badRequest("The supplied destination host \(host.prefix(255)) is the host the server runs on.") }
    }

    /// Whether the instance's move waiting for a confirm went to another host (a cold migration), not a resize in place.
    func movedToAnotherHost(_ instance: Instance) async throws -> Bool {
        var filter = MigrationFilter()
        filter.instanceId = instance.id
        return try await api.backend.migrations.migrations(filter).contains(where: \.isMoveUnderWay)
    }
}
