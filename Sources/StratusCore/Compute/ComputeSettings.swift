/// The compute service's knobs that Nova keeps in nova.conf, with Nova's defaults.
public struct ComputeSettings: Sendable, Equatable {
    /// Seconds a deleted server stays SOFT_DELETED (restorable) before it is reclaimed; 0 deletes at once.
    public var reclaimInstanceInterval: Int
    /// Seconds between comparisons of each host's guests with the power state on record; 0 turns the sync off.
    public var syncPowerStateInterval: Int

    public init(reclaimInstanceInterval: Int = 0, syncPowerStateInterval: Int = 600) {
        self.reclaimInstanceInterval = reclaimInstanceInterval
        self.syncPowerStateInterval = syncPowerStateInterval
    }
}
