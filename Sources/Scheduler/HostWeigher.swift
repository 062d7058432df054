/// Rates a host for one instance of a request; higher is better (Nova's `BaseHostWeigher._weigh_object`).
///
/// The scheduler normalises each weigher's raw weights over the hosts that passed the filters to 0...1, multiplies
/// them by the weigher's multiplier and adds them up.
public protocol HostWeigher: Sendable {
    /// Nova's class name, e.g. `RAMWeigher`: settings give multipliers by it.
    var name: String { get }
    /// The raw weight, before normalising.
    func weight(_ host: HostState, _ spec: RequestSpec) -> Double
    /// Appends the raw weight of each of `candidates`, positions in `hosts`, to `weights`. The scheduler calls this
    /// rather than ``weight(_:_:)`` so that the loop is compiled for each weigher and reads host states in place instead
    /// of copying them; the default implementation is all a weigher needs.
    func appendWeights(of candidates: [Int], in hosts: [HostState], for spec: RequestSpec, to weights: inout [Double])
}

extension HostWeigher {
    public func appendWeights(of candidates: [Int], in hosts: [HostState], for spec: RequestSpec, to weights: inout [Double]) {
        for index in candidates {
            weights.append(weight(hosts[index], spec))
        }
    }
}
