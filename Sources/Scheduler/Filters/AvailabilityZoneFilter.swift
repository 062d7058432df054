/// Keeps hosts in the requested availability zone: a zone named by one of their aggregates' `availability_zone`,
/// or the default zone for hosts in no zoned aggregate. A request without a zone takes any host.
public struct AvailabilityZoneFilter: HostFilter {
    public init() {}

    public var name: String { "AvailabilityZoneFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: RequestSpec) -> Bool {
        guard let zone = spec.availabilityZone else { return true }
        let zones = host.aggregateValues("availability_zone")
        return zones.isEmpty ? zone == HostState.defaultAvailabilityZone : zones.contains { $0 == zone }
    }
}
