/// Rates a host for one instance of a request; higher is better (Nova's `BaseHostWeigher._weigh_object`).
///
/// The scheduler normalises each weigher's raw weights over the hosts that passed the filters to 0...1, multiplies
/// them by the weigher's multiplier and adds them up. A host's raw weight may depend on that host's state and on the
/// request, including the group's members on that host, but on no other host: between the instances of one request
/// the scheduler weighs again only the host that took the previous one.
public protocol HostWeigher: Sendable {
    /// Nova's class name, e.g. `RAMWeigher`: settings give multipliers by it.
    var name: String { get }
    /// The raw weight, before normalising.
    func weight(_ host: HostState, _ spec: ScheduleRequest) -> Double
    /// The raw weights of `candidates`, positions in `hosts`, in their order. The scheduler calls this rather than
    /// ``weight(_:_:)`` so that the loop is compiled for each weigher and reads host states in place instead of copying
    /// them; the default implementation is all a weigher needs.
    func weights(of candidates: [Int], in hosts: [HostState], for spec: ScheduleRequest) -> [Double]
}

extension HostWeigher {
    public func weights(of candidates: [Int], in hosts: [HostState], for spec: ScheduleRequest) -> [Double] {
        candidates.map { weight(hosts[$0], spec) }
    }
}
