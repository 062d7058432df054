/// A Keystone domain: a namespace of users and projects.
public struct Domain: Sendable, Codable, Equatable {
    public var id: DomainID
    public var name: String
    public var description: String
    public var enabled: Bool

    public init(id: DomainID, name: String, description: String = "", enabled: Bool = true) {
        self.id = id
        self.name = name
        self.description = description
        self.enabled = enabled
    }
}
