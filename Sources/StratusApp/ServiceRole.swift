/// The services a process runs: `stratus all-in-one` runs them all; the distributed mode runs each as its own
/// process (`stratus api`, `stratus conductor`, `stratus scheduler`), on the same code.
public enum ServiceRole: String, Sendable, CaseIterable {
    /// Every HTTP API under the one listener (identity, compute, image, networking, volume, metadata, consoles).
    case api
    /// nova-conductor: the database writes of compute hosts, builds with rescheduling, the reclaim of soft deletes.
    case conductor
    /// nova-scheduler: picks and claims hosts.
    case scheduler
    /// The process's own compute hosts (all-in-one's `--driver`).
    case compute
}
