public import ComputeAPI
public import ComputeAgent
public import HTTPSupport
import HTTPTypes
public import Logging
public import Messaging
public import ServiceClients
public import StratusCore
public import VolumeAPI

/// The volume service called directly, in the same process: what the compute API asks (`VolumeCatalog`) and what
/// the compute hosts ask (`VolumeServiceClient`), with the caller's token checked as the volume service's API checks
/// it. Both answer as `HTTPVolumeCatalog` and `HTTPVolumeServiceClient` do over Cinder's REST API: the same statuses,
/// nothing for what is gone, and the same `StratusError` for each fault status (see `VolumeServiceHTTP.send`).
public struct LocalVolumeClient: VolumeCatalog, VolumeServiceClient {
    let service: VolumeService
    let tokens: any TokenValidator
    let logger: Logger

    /// `tokens`: the validator the volume API's `AuthMiddleware` uses; `logger` gets the errors the API would log.
    public init(service: VolumeService, tokens: any TokenValidator, logger: Logger) {
        self.service = service
        self.tokens = tokens
        self.logger = logger
    }

    // MARK: VolumeCatalog

    public func volumeStatus(_ id: VolumeID, token: String) async throws -> String? {
        try await call(token) { auth in try await service.volume(id, auth: auth).status.rawValue } ifNotFound: { nil }
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, token: String) async throws -> AttachmentID {
        try await call(token) { auth in
            try await service.createAttachment(volume: volume, instance: instance.rawValue, connector: nil, mode: "rw", auth: auth).id
        } ifNotFound: {
            throw StratusError.notFound(kind: "volume", id: volume.rawValue)
        }
    }

    public func deleteAttachment(_ id: AttachmentID, token: String) async throws {
        try await call(token) { auth in _ = try await service.deleteAttachment(id, auth: auth) } ifNotFound: {}
    }

    public func deleteVolume(_ id: VolumeID, token: String) async throws {
        try await call(token) { auth in try await service.deleteVolume(id, auth: auth) } ifNotFound: {}
    }

    // MARK: VolumeServiceClient

    public func createVolume(name: String, sizeGB: Int, image: ImageID?, credentials: Credentials) async throws -> VolumeID {
        try await call(credentials.token) { auth in
            try await service.createVolume(VolumeCreate(size: sizeGB, name: name, imageId: image), auth: auth).id
        } ifNotFound: {
            // As the HTTP client names a 404 of `POST /volumes`.
            throw StratusError.notFound(kind: "volume attachment", id: "")
        }
    }

    public func volumeStatus(_ volume: VolumeID, credentials: Credentials) async throws -> String? {
        try await volumeStatus(volume, token: credentials.token)
    }

    public func createAttachment(volume: VolumeID, instance: InstanceID, credentials: Credentials) async throws -> AttachmentID {
        try await createAttachment(volume: volume, instance: instance, token: credentials.token)
    }

    public func updateAttachment(
        _ attachment: AttachmentID, host: String, mountpoint: String, credentials: Credentials
    ) async throws -> VolumeConnection {
        let updated = try await call(credentials.token) { auth in
            try await service.updateAttachment(attachment, connector: AttachmentConnector(host: host, mountpoint: mountpoint), auth: auth)
        } ifNotFound: {
            throw Self.attachmentNotFound(attachment)
        }
        return try Self.connection(of: updated)
    }

    public func connection(of attachment: AttachmentID, credentials: Credentials) async throws -> VolumeConnection {
        try Self.connection(of: try await call(credentials.token) { auth in try await service.attachment(attachment, auth: auth) } ifNotFound: {
            throw Self.attachmentNotFound(attachment)
        })
    }

    private static func connection(of attachment: VolumeAttachment) throws -> VolumeConnection {
        guard let info = attachment.connectionInfo, info.driverVolumeType == "file" else {
            throw StratusError.unavailable("Volume attachment \(attachment.id) is of a connection type this host cannot attach (only file).")
        }
        return VolumeConnection(volumeId: attachment.volumeId, path: info.path, format: info.format)
    }

    public func completeAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws {
        try await call(credentials.token) { auth in try await service.completeAttachment(attachment, auth: auth) } ifNotFound: {
            throw Self.attachmentNotFound(attachment)
        }
    }

    public func deleteAttachment(_ attachment: AttachmentID, credentials: Credentials) async throws {
        try await deleteAttachment(attachment, token: credentials.token)
    }

    public func attachments(of instance: InstanceID, credentials: Credentials) async throws -> [VolumeServiceAttachment] {
        try await call(credentials.token) { auth in
            // `all_tenants=1`: every project's for an admin, the caller's project's otherwise.
            try await service.attachments(auth: auth, allProjects: true).filter { $0.instanceId == instance.rawValue }.map { attachment in
                VolumeServiceAttachment(id: attachment.id, volumeId: attachment.volumeId, status: attachment.status.rawValue)
            }
        } ifNotFound: {
            throw StratusError.notFound(kind: "volume attachment", id: "")
        }
    }

    public func deleteVolume(_ volume: VolumeID, credentials: Credentials) async throws {
        try await deleteVolume(volume, token: credentials.token)
    }

    // MARK: Calls

    /// Runs `body` as the token's user (checked as `AuthMiddleware` checks it), with the volume service's faults turned
    /// into what the HTTP clients throw: a 404 runs `notFound` instead, a 400, 403 or 409 is the `StratusError` of that
    /// kind, and any other status (401 for a bad token, 413, a 500) is `unavailable`, with the fault's message.
    private func call<T: Sendable>(
        _ token: String, _ body: (AuthContext) async throws -> T, ifNotFound notFound: () throws -> T
    ) async throws -> T {
        let (status, message): (Int, String)
        do {
            guard !token.isEmpty else { throw StratusError.unauthorized(Faults.authenticationRequired) }
            return try await body(try await tokens.validate(token: token))
        } catch let error as StratusError {
            (status, message) = error.fault
        } catch let fault as OpenStackFault {
            (status, message) = (fault.status.code, fault.message)
        } catch {
            // The volume API's `FaultMiddleware` logs it and answers a 500 with a generic message.
            logger.error("volume service: unexpected error: \(String(reflecting: error))")
            (status, message) = (500, "An unexpected error prevented the server from fulfilling your request.")
        }
        switch status {
        case 404: return try notFound()
        case 400: throw StratusError.badRequest(message)
        case 403: throw StratusError.forbidden(message)
        case 409: throw StratusError.conflict(message)
        default: throw StratusError.unavailable(message)
        }
    }

    private static func attachmentNotFound(_ attachment: AttachmentID) -> StratusError {
        StratusError.notFound(kind: "volume attachment", id: attachment.rawValue)
    }
}
