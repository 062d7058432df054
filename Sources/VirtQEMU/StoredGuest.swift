import Virt

/// `guest.json`: the guest as it was last started, from which it is started again: its `GuestSpec`, the host
/// port its SSH is forwarded from, kept so a restart reuses it (when it is still free), and its attached volumes.
struct StoredGuest: Codable, Equatable {
    var spec: GuestSpec
    var sshForwardPort: Int?
    /// In the order they were attached; each start of QEMU has them on its command line.
    var volumes: [VolumeAttachmentSpec]

    enum CodingKeys: String, CodingKey {
        case sshForwardPort, volumes
    }

    init(spec: GuestSpec, sshForwardPort: Int? = nil, volumes: [VolumeAttachmentSpec] = []) {
        self.spec = spec
        self.sshForwardPort = sshForwardPort
        self.volumes = volumes
    }

    /// The spec's fields, `sshForwardPort` and `volumes` side by side in one object; a `guest.json` written before
    /// volumes existed has none.
    init(from decoder: any Decoder) throws {
        spec = try GuestSpec(from: decoder)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sshForwardPort = try container.decodeIfPresent(Int.self, forKey: .sshForwardPort)
        volumes = try container.decodeIfPresent([VolumeAttachmentSpec].self, forKey: .volumes) ?? []
    }

    func encode(to encoder: any Encoder) throws {
        try spec.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(sshForwardPort, forKey: .sshForwardPort)
        if !volumes.isEmpty { try container.encode(volumes, forKey: .volumes) }
    }
}
