import Crypto
import Database
import Foundation
import HTTPSupport
import ServiceClients
import StratusCore

/// A server as the compute API shows it at a microversion: Nova's fields, the admin-only ones for admin.
struct ServerView {
    let baseURL: String
    let version: APIVersion
    let isAdmin: Bool
    /// Whether each host's compute service is up, for 2.16's `host_status`.
    let hostUp: [String: Bool]

    func links(_ id: InstanceID) -> JSONValue {
        .array([
            .object(["rel": .string("self"), "href": .string(baseURL + "/v2.1/servers/\(id)")]),
            .object(["rel": .string("bookmark"), "href": .string(baseURL + "/servers/\(id)")]),
        ])
    }

    func summary(_ instance: Instance) -> JSONValue {
        .object(["id": .string(instance.id.rawValue), "name": .string(instance.name), "links": links(instance.id)])
    }

    /// Nova's `OS-SRV-USG` times: microseconds, no zone.
    static func usageTime(_ time: Timestamp?) -> JSONValue {
        time.map { .string(String($0.iso8601Microseconds.dropLast())) } ?? .null
    }

    /// Nova's `hostId`: a digest of project and host, so users can tell co-located servers apart without host names.
    static func hostId(_ instance: Instance) -> String {
        guard let host = instance.host else { return "" }
        let digest = SHA256.hash(data: Data((instance.projectId.rawValue + host).utf8))
        return String(decoding: digest.prefix(28).flatMap { [hexDigits[Int($0 >> 4)], hexDigits[Int($0 & 0x0f)]] }, as: UTF8.self)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    func addresses(_ instance: Instance) -> JSONValue {
        var byNetwork: [String: [JSONValue]] = [:]
        for vif in instance.networkInfo {
            for address in vif.fixedIps {
                byNetwork[vif.networkName, default: []].append(.object([
                    "addr": .string(address.description), "version": .number(Double(address.version.rawValue)),
                    "OS-EXT-IPS:type": .string("fixed"), "OS-EXT-IPS-MAC:mac_addr": .string(vif.macAddress),
                ]))
            }
        }
        return .object(byNetwork.mapValues(JSONValue.array))
    }

    func detail(_ instance: Instance) -> JSONValue {
        var view: [String: JSONValue] = [
            "id": .string(instance.id.rawValue), "name": .string(instance.name), "status": .string(instance.status),
            "tenant_id": .string(instance.projectId.rawValue), "user_id": .string(instance.userId.rawValue),
            "created": .string(instance.createdAt.iso8601Seconds), "updated": .string(instance.updatedAt.iso8601Seconds),
            "hostId": .string(Self.hostId(instance)), "addresses": addresses(instance), "accessIPv4": .string(""), "accessIPv6": .string(""),
            "image": instance.imageId.map { id in
                .object(["id": .string(id.rawValue), "links": .array([.object(["rel": .string("bookmark"), "href": .string(baseURL + "/images/\(id)")])])])
            } ?? .string(""),
            "key_name": instance.keyName.map(JSONValue.string) ?? .null,
            "metadata": .object(instance.metadata.mapValues(JSONValue.string)),
            "links": links(instance.id),
            "OS-DCF:diskConfig": .string("MANUAL"),
            "OS-EXT-AZ:availability_zone": .string(instance.availabilityZone ?? ""),
            "config_drive": .string(instance.configDrive ? "True" : ""),
            "OS-EXT-STS:vm_state": .string(instance.vmState.rawValue),
            "OS-EXT-STS:task_state": instance.taskState.map { .string($0.rawValue) } ?? .null,
            "OS-EXT-STS:power_state": .number(Double(instance.powerState.rawValue)),
            "OS-SRV-USG:launched_at": Self.usageTime(instance.launchedAt),
            "OS-SRV-USG:terminated_at": Self.usageTime(instance.terminatedAt),
            "os-extended-volumes:volumes_attached": .array(instance.volumeAttachments.map { attachment in
                // 2.3 added delete_on_termination to each entry.
                var entry: [String: JSONValue] = ["id": .string(attachment.volumeId.rawValue)]
                if version >= APIVersion(2, 3) { entry["delete_on_termination"] = .bool(attachment.deleteOnTermination) }
                return .object(entry)
            }),
            "security_groups": .array(instance.securityGroups.map { .object(["name": .string($0)]) }),
        ]
        if [.building, .active].contains(instance.vmState) { view["progress"] = .number(0) }
        if version >= APIVersion(2, 47) {
            let flavor = instance.flavor
            view["flavor"] = .object([
                "vcpus": .number(Double(flavor.vcpus)), "ram": .number(Double(flavor.memoryMB)), "disk": .number(Double(flavor.rootGB)),
                "ephemeral": .number(Double(flavor.ephemeralGB)), "swap": .number(Double(flavor.swapMB)), "original_name": .string(flavor.name),
                "extra_specs": .object(flavor.extraSpecs.mapValues(JSONValue.string)),
            ])
        } else {
            view["flavor"] = .object([
                "id": .string(instance.flavor.id.rawValue),
                "links": .array([.object(["rel": .string("bookmark"), "href": .string(baseURL + "/flavors/\(instance.flavor.id)")])]),
            ])
        }
        if version >= APIVersion(2, 9) { view["locked"] = .bool(instance.locked) }
        if version >= APIVersion(2, 73) { view["locked_reason"] = instance.lockedReason.map(JSONValue.string) ?? .null }
        if version >= APIVersion(2, 19) { view["description"] = instance.description.map(JSONValue.string) ?? .null }
        if version >= APIVersion(2, 26) { view["tags"] = .array(instance.tags.map(JSONValue.string)) }
        if version >= APIVersion(2, 63) { view["trusted_image_certificates"] = .null }
        if version >= APIVersion(2, 71) { view["server_groups"] = .array(instance.serverGroupId.map { [.string($0.rawValue)] } ?? []) }
        if version >= APIVersion(2, 96) { view["pinned_availability_zone"] = instance.requestedZone.map(JSONValue.string) ?? .null }
        if version >= APIVersion(2, 90) { view["OS-EXT-SRV-ATTR:hostname"] = .string(instance.hostname) }
        if isAdmin {
            view["OS-EXT-SRV-ATTR:host"] = instance.host.map(JSONValue.string) ?? .null
            view["OS-EXT-SRV-ATTR:hypervisor_hostname"] = instance.host.map(JSONValue.string) ?? .null
            view["OS-EXT-SRV-ATTR:instance_name"] = .string("instance-" + instance.id.rawValue.prefix(8))
            if let sshForward = instance.sshForward { view["stratus:ssh_forward"] = .string(sshForward) }
            if version >= APIVersion(2, 3) {
                view["OS-EXT-SRV-ATTR:reservation_id"] = .string(instance.reservationId)
                view["OS-EXT-SRV-ATTR:launch_index"] = .number(Double(instance.launchIndex))
                view["OS-EXT-SRV-ATTR:hostname"] = .string(instance.hostname)
                view["OS-EXT-SRV-ATTR:kernel_id"] = .string("")
                view["OS-EXT-SRV-ATTR:ramdisk_id"] = .string("")
                view["OS-EXT-SRV-ATTR:root_device_name"] = .string("/dev/vda")
                view["OS-EXT-SRV-ATTR:user_data"] = instance.userData.map(JSONValue.string) ?? .null
            }
            if version >= APIVersion(2, 16) {
                view["host_status"] = .string(instance.host.map { hostUp[$0] == true ? "UP" : "DOWN" } ?? "")
            }
        }
        if let fault = instance.fault, [.error, .deleted].contains(instance.vmState) {
            var body: [String: JSONValue] = [
                "code": .number(Double(fault.code)), "message": .string(fault.message), "created": .string(fault.created.iso8601Seconds),
            ]
            if isAdmin { body["details"] = .string(fault.details) }
            view["fault"] = .object(body)
        }
        return .object(view)
    }
}
