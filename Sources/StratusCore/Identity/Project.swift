/// A Keystone project (tenant): every object in the cloud belongs to one.
public struct Project: Sendable, Codable, Equatable {
    public var id: ProjectID
    public var name: String
    public var domainId: DomainID
    public var description: String
    public var enabled: Bool

    public init(id: ProjectID, name: String, domainId: DomainID, description: String = "", enabled: Bool = true) {
        self.id = id
        self.name = name
        self.domainId = domainId
        self.description = description
        self.enabled = enabled
    }
}
