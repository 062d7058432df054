/// A service in the catalog (`identity`, `compute`, ...).
public struct CatalogService: Sendable, Codable, Equatable {
    public var id: ServiceID
    public var type: String
    public var name: String
    public var description: String
    public var enabled: Bool

    public init(id: ServiceID, type: String, name: String, description: String = "", enabled: Bool = true) {
        self.id = id
        self.type = type
        self.name = name
        self.description = description
        self.enabled = enabled
    }
}
