/// Keeps hosts in the requested availability zone: a zone named by one of their aggregates' `availability_zone`
/// metadata, else the host's own zone. A request without a zone takes any host.
public struct AvailabilityZoneFilter: HostFilter {
    public init() {}

    public var name: String { "AvailabilityZoneFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        guard let zone = spec.availabilityZone else { return true }
        return Self.zone(zone, contains: host.aggregates, else: host.availabilityZone)
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard let zone = spec.availabilityZone else { return }
        candidates.removeAll { !Self.zone(zone, contains: hosts[$0].aggregates, else: hosts[$0].availabilityZone) }
    }

    private static func zone(_ zone: String, contains aggregates: [AggregateInfo], else hostZone: String) -> Bool {
        let zones = aggregates.isEmpty ? [] : aggregates.values(of: "availability_zone")
        return zones.isEmpty ? zone == hostZone : zones.contains { $0 == zone }
    }
}
