/// Rates a host for one instance of a request; higher is better (Nova's `BaseHostWeigher._weigh_object`).
///
/// The scheduler normalises each weigher's raw weights over the hosts that passed the filters to 0...1, multiplies
/// them by the weigher's multiplier and adds them up.
public protocol HostWeigher: Sendable {
    /// Nova's class name, e.g. `RAMWeigher`: settings give multipliers by it.
    var name: String { get }
    /// The raw weight, before normalising.
    func weight(_ host: HostState, _ spec: RequestSpec) -> Double
}
