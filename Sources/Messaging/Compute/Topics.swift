/// The bus's topics, as Nova names its queues.
public enum Topic {
    public static let conductor = "conductor"
    public static let scheduler = "scheduler"

    /// The queue of one compute host.
    public static func compute(_ host: String) -> String { "compute.\(host)" }
}
