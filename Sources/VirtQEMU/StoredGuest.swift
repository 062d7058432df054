import Virt

/// `guest.json`: the guest as it was last started, from which it is started again: its `GuestSpec` and the host
/// port its SSH is forwarded from, kept so a restart reuses it (when it is still free).
struct StoredGuest: Codable, Equatable {
    var spec: GuestSpec
    var sshForwardPort: Int?

    enum CodingKeys: String, CodingKey {
        case sshForwardPort
    }

    init(spec: GuestSpec, sshForwardPort: Int? = nil) {
        self.spec = spec
        self.sshForwardPort = sshForwardPort
    }

    /// The spec's fields and `sshForwardPort` side by side in one object.
    init(from decoder: any Decoder) throws {
        spec = try GuestSpec(from: decoder)
        sshForwardPort = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .sshForwardPort)
    }

    func encode(to encoder: any Encoder) throws {
        try spec.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(sshForwardPort, forKey: .sshForwardPort)
    }
}
