/// One URL of a catalog service, for one interface (public, internal, admin) in one region.
public struct Endpoint: Sendable, Codable, Equatable {
    public var id: EndpointID
    public var serviceId: ServiceID
    public var interface: String
    public var regionId: String
    public var url: String
    public var enabled: Bool

    public init(id: EndpointID, serviceId: ServiceID, interface: String, regionId: String, url: String, enabled: Bool = true) {
        self.id = id
        self.serviceId = serviceId
        self.interface = interface
        self.regionId = regionId
        self.url = url
        self.enabled = enabled
    }

    public static let interfaces: Set<String> = ["public", "internal", "admin"]
}
