import Database
import Foundation
import HTTPSupport
import HTTPTypes
import Hummingbird
import Messaging
import ServiceClients
import StratusCore

/// `/servers/{id}/os-volume_attachments`: Nova's volume attachments. The API reserves the volume through a volume
/// service attachment, then calls the server's host, which attaches it (and deletes the attachment again when it
/// cannot); the instance record keeps the attachment (its block device mapping) once the host has it.
struct VolumeAttachmentController: Sendable {
    let api: ComputeAPI

    /// The states Nova attaches and detaches volumes in (with no task running); SHELVED_OFFLOADED needs no host in
    /// Nova, but a server without one cannot take a volume here.
    static let attachableStates: Set<VMState> = [.active, .paused, .stopped, .resized]

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.get("servers/{id}/os-volume_attachments", use: list)
        group.post("servers/{id}/os-volume_attachments", use: attach)
        group.get("servers/{id}/os-volume_attachments/{volume_id}", use: show)
        group.delete("servers/{id}/os-volume_attachments/{volume_id}", use: detach)
    }

    // MARK: Views

    /// One attachment as Nova shows it: `id` (the volume's) up to 2.88 and in the answer to an attach, `tag` from 2.70,
    /// `delete_on_termination` from 2.79, `attachment_id` and `bdm_uuid` from 2.89.
    static func view(_ attachment: InstanceVolumeAttachment, of instance: InstanceID, version: APIVersion, created: Bool = false) -> JSONValue {
        var view: [String: JSONValue] = [
            "device": .string(attachment.device), "serverId": .string(instance.rawValue), "volumeId": .string(attachment.volumeId.rawValue),
        ]
        if created || version < APIVersion(2, 89) { view["id"] = .string(attachment.volumeId.rawValue) }
        if version >= APIVersion(2, 70) { view["tag"] = attachment.tag.map(JSONValue.string) ?? .null }
        if version >= APIVersion(2, 79) { view["delete_on_termination"] = .bool(attachment.deleteOnTermination) }
        if !created, version >= APIVersion(2, 89) {
            view["attachment_id"] = .string(attachment.attachmentId.rawValue)
            view["bdm_uuid"] = .string(attachment.id)
        }
        return .object(view)
    }

    @Sendable func list(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let instance = try await ServerController.visibleInstance(try context.parameters.require("id"), auth: try context.requireAuth(), api: api)
        let views = instance.volumeAttachments.map { Self.view($0, of: instance.id, version: context.apiVersion) }
        return try JSONResponse.make(JSONValue.object(["volumeAttachments": .array(views)]))
    }

    @Sendable func show(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let instance = try await ServerController.visibleInstance(try context.parameters.require("id"), auth: try context.requireAuth(), api: api)
        let attachment = try Self.attachment(try context.parameters.require("volume_id"), of: instance)
        return try JSONResponse.make(JSONValue.object(["volumeAttachment": Self.view(attachment, of: instance.id, version: context.apiVersion)]))
    }

    /// The instance's attachment of the volume; Nova's 404 otherwise.
    static func attachment(_ volumeId: String, of instance: Instance) throws -> InstanceVolumeAttachment {
        guard let attachment = instance.volumeAttachments.first(where: { $0.volumeId.rawValue == volumeId.lowercased() }) else {
            throw ComputeFault.notFound("Volume \(volumeId.prefix(64)) is not attached to instance \(instance.id).")
        }
        return attachment
    }

    // MARK: Attach and detach

    /// The instance, if the caller may attach to or detach from it now: a writer, unlocked (unless admin), on a host,
    /// in a state that allows it and running no other task.
    func changeable(_ context: StratusRequestContext, action: String, policy: String) async throws -> Instance {
        let auth = try context.requireAuth()
        try auth.requireWriter(policy)
        let instance = try await ServerController.visibleInstance(try context.parameters.require("id"), auth: auth, api: api)
        if instance.locked, !auth.isAdmin { throw StratusError.conflict("Instance \(instance.id) is locked") }
        if let task = instance.taskState {
            throw StratusError.conflict("Cannot '\(action)' instance \(instance.id) while it is in task_state \(task.rawValue)")
        }
        guard Self.attachableStates.contains(instance.vmState), instance.host != nil else {
            throw StratusError.conflict("Cannot '\(action)' instance \(instance.id) while it is in vm_state \(instance.vmState.rawValue)")
        }
        return instance
    }

    func volumeService() throws -> any VolumeCatalog {
        guard let volumes = api.volumes else { throw StratusError.unavailable("This cloud has no volume service.") }
        return volumes
    }

    @Sendable func attach(_ request: Request, context: StratusRequestContext) async throws -> Response {
        var request = request
        let body = try await request.jsonObject(context: context)
        let instance = try await changeable(context, action: "attach_volume", policy: "os_compute_api:os-volumes-attachments:create")
        let auth = try context.requireAuth()
        var reader = try BodyReader(body, key: "volumeAttachment")
        guard let volumeText = try reader.string("volumeId") else {
            throw StratusError.badRequest("Invalid input for field/attribute volumeAttachment. 'volumeId' is a required property")
        }
        guard UUID(uuidString: volumeText) != nil else { throw BodyReader.invalid("volumeId", .string(volumeText), "'\(volumeText)' is not a 'uuid'") }
        let volumeId = VolumeID(volumeText.lowercased())
        _ = try reader.nullableString("device")
        var tag: String?
        if context.apiVersion >= APIVersion(2, 49), let text = try reader.string("tag", maxLength: 60) {
            guard !text.contains("/"), !text.contains(",") else { throw BodyReader.invalid("tag", .string(text), "'\(text)' does not match '^[^,/]*$'") }
            tag = text
        }
        var deleteOnTermination = false
        if context.apiVersion >= APIVersion(2, 79) { deleteOnTermination = try reader.bool("delete_on_termination") ?? false }
        try reader.finish()
        guard !instance.volumeAttachments.contains(where: { $0.volumeId == volumeId }) else {
            throw StratusError.conflict("Volume \(volumeId) is already attached to instance \(instance.id).")
        }
        let volumes = try volumeService()
        let token = request.headers[.authToken] ?? ""
        guard let status = try await volumes.volumeStatus(volumeId, token: token) else {
            throw ComputeFault.notFound("Volume \(volumeId) could not be found.")
        }
        guard status == "available" else {
            throw StratusError.conflict("Invalid volume: volume \(volumeId) status must be 'available', not '\(status)'.")
        }
        try await recordAction("attach_volume", instance, auth: auth, context: context)
        let attachmentId = try await volumes.createAttachment(volume: volumeId, instance: instance.id, token: token)
        let attachment = InstanceVolumeAttachment(
            id: UUID().uuidString.lowercased(), volumeId: volumeId, attachmentId: attachmentId, device: instance.nextVolumeDevice, tag: tag,
            deleteOnTermination: deleteOnTermination
        )
        let credentials = Credentials(
            requestId: context.requestID, token: token, userId: auth.userId, userDomainId: auth.userDomainId,
            projectId: auth.projectId ?? instance.projectId, roles: auth.roles
        )
        do {
            try await api.requireUp(instance.host ?? "")
            try await api.computeRPC.attachVolume(
                volumeId, to: instance.id, on: instance.host ?? "", attachment: attachmentId, device: attachment.device, credentials: credentials
            )
            try await record(instance.id) { $0.volumeAttachments.append(attachment) }
        } catch {
            // The host deletes the attachment when it fails; a call that never reached it leaves that to us.
            try? await volumes.deleteAttachment(attachmentId, token: token)
            throw Self.fault(error, action: "attach volume \(volumeId) to")
        }
        return try JSONResponse.make(
            JSONValue.object(["volumeAttachment": Self.view(attachment, of: instance.id, version: context.apiVersion, created: true)])
        )
    }

    @Sendable func detach(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let instance = try await changeable(context, action: "detach_volume", policy: "os_compute_api:os-volumes-attachments:delete")
        let auth = try context.requireAuth()
        let attachment = try Self.attachment(try context.parameters.require("volume_id"), of: instance)
        guard attachment.bootIndex != 0 else { throw StratusError.badRequest("Cannot detach a root device volume") }
        let token = request.headers[.authToken] ?? ""
        let credentials = Credentials(
            requestId: context.requestID, token: token, userId: auth.userId, userDomainId: auth.userDomainId,
            projectId: auth.projectId ?? instance.projectId, roles: auth.roles
        )
        try await recordAction("detach_volume", instance, auth: auth, context: context)
        do {
            try await api.requireUp(instance.host ?? "")
            try await api.computeRPC.detachVolume(
                attachment.volumeId, from: instance.id, on: instance.host ?? "", attachment: attachment.attachmentId, credentials: credentials
            )
        } catch {
            throw Self.fault(error, action: "detach volume \(attachment.volumeId) from")
        }
        try await record(instance.id) { $0.volumeAttachments.removeAll { $0.volumeId == attachment.volumeId } }
        return JSONResponse.empty(status: .accepted)
    }

    /// Records the instance action (`os-instance-actions`), whose events the host adds.
    private func recordAction(_ name: String, _ instance: Instance, auth: AuthContext, context: StratusRequestContext) async throws {
        try await api.repository.recordAction(InstanceAction(
            instanceId: instance.id, requestId: context.requestID, action: name, userId: auth.userId, projectId: instance.projectId, startTime: api.now
        ))
    }

    /// Applies `change` to the instance as it is now (other requests may have changed it since it was read).
    private func record(_ id: InstanceID, _ change: (inout Instance) -> Void) async throws {
        guard var instance = try await api.repository.instance(id) else { throw ComputeFault.instanceNotFound(id.rawValue) }
        change(&instance)
        instance.updatedAt = api.now
        _ = try await api.repository.updateInstance(instance, expectedTaskStates: nil)
    }

    /// A failure of the host (or of the bus) as the API reports it: the host's conflicts and faults keep their status
    /// and message; anything else is Nova's 500 with what happened.
    static func fault(_ error: any Error, action: String) -> any Error {
        switch error {
        case let fault as RemoteFault where fault.status < 500:
            OpenStackFault(status: HTTPResponse.Status(code: fault.status), message: fault.message, style: .nova)
        case let fault as RemoteFault:
            OpenStackFault(status: .internalServerError, message: "Failed to \(action) the instance: \(fault.message)", style: .nova)
        case let error as MessagingError:
            OpenStackFault(status: .internalServerError, message: "Failed to \(action) the instance: \(error)", style: .nova)
        default: error
        }
    }
}
