import StratusCore

/// `openstack/<version>/meta_data.json`, with the keys Nova's metadata API writes.
struct OpenStackMetaData: Encodable {
    struct Key: Encodable {
        var name: String
        var type: String
        var data: String
    }

    var uuid: String
    var name: String
    var hostname: String
    var availabilityZone: String?
    var projectId: String
    var launchIndex: Int
    var meta: [String: String]
    var publicKeys: [String: String]?
    var keys: [Key]?
    var devices: [String] = []

    enum CodingKeys: String, CodingKey {
        case uuid, name, hostname, meta, keys, devices
        case availabilityZone = "availability_zone"
        case projectId = "project_id"
        case launchIndex = "launch_index"
        case publicKeys = "public_keys"
    }

    init(_ instance: Instance) {
        uuid = instance.id.rawValue
        name = instance.name
        hostname = instance.hostname
        availabilityZone = instance.availabilityZone
        projectId = instance.projectId.rawValue
        launchIndex = instance.launchIndex
        meta = instance.metadata
        if let keyName = instance.keyName, let publicKey = instance.publicKey {
            publicKeys = [keyName: publicKey]
            keys = [Key(name: keyName, type: "ssh", data: publicKey)]
        }
    }

    /// Nova writes `availability_zone` even when it is null.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(uuid, forKey: .uuid)
        try container.encode(name, forKey: .name)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(availabilityZone, forKey: .availabilityZone)
        try container.encode(projectId, forKey: .projectId)
        try container.encode(launchIndex, forKey: .launchIndex)
        try container.encode(meta, forKey: .meta)
        try container.encodeIfPresent(publicKeys, forKey: .publicKeys)
        try container.encodeIfPresent(keys, forKey: .keys)
        try container.encode(devices, forKey: .devices)
    }
}
