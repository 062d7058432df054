/// An asynchronous QMP event (`SHUTDOWN`, `STOP`, `RESUME`, `POWERDOWN`, `DEVICE_DELETED`, …).
public struct QMPEvent: Sendable, Equatable {
    /// The event's name, as QEMU spells it.
    public var name: String
    /// Its `data` member; `.object([:])` when the event has none.
    public var data: QMPValue

    public init(name: String, data: QMPValue = .object([:])) {
        self.name = name
        self.data = data
    }
}
