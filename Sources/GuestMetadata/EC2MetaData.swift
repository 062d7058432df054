import StratusCore

/// The EC2-compatible `meta-data` tree Nova serves at `<version>/meta-data/` (and writes to a config drive as
/// `ec2/<version>/meta-data.json`).
indirect enum EC2Value: Encodable {
    case text(String)
    case number(Int)
    case list([String])
    case tree([String: EC2Value])

    /// The files of this tree, each at `prefix/<key path>`: numbers as decimal text, lists one item a line.
    func files(at prefix: String) -> [String: [UInt8]] {
        switch self {
        case .text(let text): [prefix: Array(text.utf8)]
        case .number(let number): [prefix: Array(String(number).utf8)]
        case .list(let items): [prefix: Array(items.joined(separator: "\n").utf8)]
        case .tree(let children):
            children.reduce(into: [:]) { files, child in files.merge(child.value.files(at: prefix + "/" + child.key)) { $1 } }
        }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        case .list(let items): try container.encode(items)
        case .tree(let children): try container.encode(children)
        }
    }
}

enum EC2MetaData {
    /// The tree for `instance`, with Nova's keys.
    static func tree(_ instance: Instance) -> EC2Value {
        let ipv4 = instance.networkInfo.flatMap(\.fixedIps).first { $0.version == .v4 }
        var tree: [String: EC2Value] = [
            "ami-id": .text(ec2ID("ami", instance.imageId?.rawValue)),
            "ami-launch-index": .number(instance.launchIndex),
            "ami-manifest-path": .text("FIXME"),
            "block-device-mapping": .tree(["ami": .text("vda"), "root": .text("/dev/vda")]),
            "hostname": .text(instance.hostname),
            "instance-action": .text("none"),
            "instance-id": .text(instanceID(instance.id)),
            "instance-type": .text(instance.flavor.name),
            "local-hostname": .text(instance.hostname),
            "local-ipv4": .text(ipv4?.description ?? ""),
            "placement": .tree(["availability-zone": .text(instance.availabilityZone ?? "")]),
            "public-hostname": .text(instance.hostname),
            "public-ipv4": .text(""),
            "reservation-id": .text(instance.reservationId),
            "security-groups": .list(instance.securityGroups),
        ]
        if instance.keyName != nil, let publicKey = instance.publicKey {
            tree["public-keys"] = .tree(["0": .tree(["openssh-key": .text(publicKey)])])
        }
        return .tree(tree)
    }

    /// Nova's EC2 instance id, `i-` and 8 hex digits (Nova formats its integer row id); Stratus takes the first
    /// 8 hex digits of the uuid, so the id is stable for the instance's life.
    static func instanceID(_ id: InstanceID) -> String {
        ec2ID("i", id.rawValue)
    }

    static func ec2ID(_ kind: String, _ uuid: String?) -> String {
        let hex = (uuid ?? "").lowercased().filter(\.isHexDigit).prefix(8)
        return kind + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }
}
