import Database
import HTTPSupport
import HTTPTypes
import Hummingbird
import Messaging
import ServiceClients
import StratusCore

/// Nova's remote consoles: `POST /servers/{id}/remote-consoles` (2.6+) and, before 2.6, the `os-getVNCConsole` and
/// `os-getSerialConsole` actions (routed here by the action controller); `GET /os-console-auth-tokens/{token}` for
/// admins. A console URL carries a new single-use token bound to the instance, its host and the guest's console there.
struct RemoteConsoleController: Sendable {
    let api: ComputeAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.post("servers/{id}/remote-consoles", use: create)
        group.get("os-console-auth-tokens/{token}", use: showToken)
    }

    /// The protocol and type pairs Nova knows, and the ones this cloud serves.
    static let knownTypes: [String: Set<String>] = [
        "vnc": ["novnc", "xvpvnc"], "spice": ["spice-html5"], "rdp": ["rdp-html5"], "serial": ["serial"], "mks": ["webmks"],
    ]

    @Sendable func create(_ request: Request, context: StratusRequestContext) async throws -> Response {
        guard context.apiVersion >= APIVersion(2, 6) else { throw ComputeFault.notFound("The resource could not be found.") }
        let auth = try context.requireAuth()
        let instance = try await ServerController.visibleInstance(try context.parameters.require("id"), auth: auth, api: api)
        var request = request
        var body = try BodyReader(try await request.jsonObject(context: context), key: "remote_console")
        guard let proto = try body.string("protocol") else {
            throw StratusError.badRequest("Invalid input for field/attribute remote_console. 'protocol' is a required property")
        }
        guard let type = try body.string("type") else {
            throw StratusError.badRequest("Invalid input for field/attribute remote_console. 'type' is a required property")
        }
        try body.finish()
        let protocols = context.apiVersion >= APIVersion(2, 8) ? Self.knownTypes : Self.knownTypes.filter { $0.key != "mks" }
        guard let types = protocols[proto] else {
            throw BodyReader.invalid("protocol", .string(proto), "'\(proto)' is not one of \(protocols.keys.sorted())")
        }
        guard types.contains(type) else {
            throw StratusError.badRequest("Invalid input for field/attribute type. Value: \(type). '\(type)' is not valid for protocol \(proto)")
        }
        let url = try await consoleURL(instance, type: type, auth: auth)
        return try JSONResponse.make(JSONValue.object([
            "remote_console": .object(["protocol": .string(proto), "type": .string(type), "url": .string(url)]),
        ]))
    }

    /// The legacy actions (2.1 to 2.5): `{"os-getVNCConsole": {"type": "novnc"}}` answers `{"console": {type, url}}`.
    func legacyAction(_ name: String, argument: JSONValue, instance: Instance, auth: AuthContext, version: APIVersion) async throws -> Response {
        guard version < APIVersion(2, 6) else { throw StratusError.badRequest("There is no such action: \(name)") }
        let allowed = name == "os-getVNCConsole" ? ["novnc", "xvpvnc"] : ["serial"]
        guard case .object(let fields) = argument, case .string(let type)? = fields["type"] else {
            throw StratusError.badRequest("Invalid input for field/attribute \(name). 'type' is a required property")
        }
        guard allowed.contains(type) else {
            throw BodyReader.invalid("type", .string(type), "'\(type)' is not one of \(allowed)")
        }
        let url = try await consoleURL(instance, type: type, auth: auth)
        return try JSONResponse.make(JSONValue.object(["console": .object(["type": .string(type), "url": .string(url)])]))
    }

    /// Asks the instance's host where its console listens, records a token for it and builds the URL.
    private func consoleURL(_ instance: Instance, type: String, auth: AuthContext) async throws -> String {
        try auth.requireWriter("os_compute_api:os-remote-consoles")
        guard let consoleType = ConsoleAuthToken.ConsoleType(rawValue: type) else {
            throw StratusError.badRequest("Unavailable console type \(type).")
        }
        guard let host = instance.host, instance.vmState != .building, [.running, .paused].contains(instance.powerState) else {
            throw StratusError.conflict("Instance \(instance.id) is not ready")
        }
        let console: RemoteConsole
        do {
            try await api.requireUp(host)
            console = try await api.computeRPC.remoteConsole(instance.id, on: host, kind: consoleType.kind)
        } catch let fault as RemoteFault {
            throw StratusError.badRequest("Unavailable console type \(type): \(fault.message)")
        }
        let (token, _) = try await api.backend.consoleTokens.issue(
            instanceId: instance.id, consoleType: consoleType, host: host, console: console, now: api.now,
            lifetime: api.settings.consoles.tokenLifetime
        )
        return api.settings.consoles.url(for: consoleType, token: token, publicURL: api.publicURL)
    }

    /// `GET /os-console-auth-tokens/{token}`: what a valid token connects to, without spending it. Before 2.31 Nova shows
    /// only RDP tokens, so every token here is refused there.
    @Sendable func showToken(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        try auth.requireAdmin("os_compute_api:os-console-auth-tokens")
        let token = try context.parameters.require("token")
        guard let record = try await api.backend.consoleTokens.find(token: token, now: api.now) else {
            throw ComputeFault.notFound("The token '\(token.prefix(64))' is invalid or has expired")
        }
        guard context.apiVersion >= APIVersion(2, 31) else {
            throw StratusError.badRequest("The requested console type details are not accessible")
        }
        let host: String, port: JSONValue, path: JSONValue
        switch record.console.address {
        case .tcp(let address, let number): (host, port, path) = (address, .number(Double(number)), .null)
        case .unix(let socket): (host, port, path) = (record.host, .null, .string(socket))
        }
        return try JSONResponse.make(JSONValue.object([
            "console": .object([
                "instance_uuid": .string(record.instanceId.rawValue), "host": .string(host), "port": port, "internal_access_path": path,
            ]),
        ]))
    }
}
