/// A Nova flavor: the size of an instance.
public struct Flavor: Sendable, Codable, Equatable {
    public var id: FlavorID
    public var name: String
    public var vcpus: Int
    public var memoryMB: Int
    public var rootGB: Int
    public var ephemeralGB: Int
    public var swapMB: Int
    public var rxtxFactor: Double
    public var isPublic: Bool
    public var disabled: Bool
    public var description: String?
    public var extraSpecs: [String: String]
    public var createdAt: Timestamp

    public init(
        id: FlavorID, name: String, vcpus: Int, memoryMB: Int, rootGB: Int, ephemeralGB: Int = 0, swapMB: Int = 0,
        rxtxFactor: Double = 1.0, isPublic: Bool = true, disabled: Bool = false, description: String? = nil,
        extraSpecs: [String: String] = [:], createdAt: Timestamp
    ) {
        self.id = id
        self.name = name
        self.vcpus = vcpus
        self.memoryMB = memoryMB
        self.rootGB = rootGB
        self.ephemeralGB = ephemeralGB
        self.swapMB = swapMB
        self.rxtxFactor = rxtxFactor
        self.isPublic = isPublic
        self.disabled = disabled
        self.description = description
        self.extraSpecs = extraSpecs
        self.createdAt = createdAt
    }

    /// Nova's default flavors, made at the first start (`m1.tiny` ... `m1.xlarge`, ids 1 to 5).
    public static func defaults(at time: Timestamp) -> [Flavor] {
        [
            Flavor(id: "1", name: "m1.tiny", vcpus: 1, memoryMB: 512, rootGB: 1, createdAt: time),
            Flavor(id: "2", name: "m1.small", vcpus: 1, memoryMB: 2048, rootGB: 20, createdAt: time),
            Flavor(id: "3", name: "m1.medium", vcpus: 2, memoryMB: 4096, rootGB: 40, createdAt: time),
            Flavor(id: "4", name: "m1.large", vcpus: 4, memoryMB: 8192, rootGB: 80, createdAt: time),
            Flavor(id: "5", name: "m1.xlarge", vcpus: 8, memoryMB: 16384, rootGB: 160, createdAt: time),
        ]
    }
}

/// A user's public key, injected into the instances it boots.
public struct Keypair: Sendable, Codable, Equatable {
    public enum KeyType: String, Sendable, Codable { case ssh, x509 }
    public var userId: UserID
    public var name: String
    public var type: KeyType
    public var publicKey: String
    public var fingerprint: String
    public var createdAt: Timestamp

    public init(userId: UserID, name: String, type: KeyType, publicKey: String, fingerprint: String, createdAt: Timestamp) {
        self.userId = userId
        self.name = name
        self.type = type
        self.publicKey = publicKey
        self.fingerprint = fingerprint
        self.createdAt = createdAt
    }
}
