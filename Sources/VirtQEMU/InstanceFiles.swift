import StratusCore

/// Where one guest's files live: everything in `<data-dir>/instances/<uuid>/`, so removing the directory removes the
/// guest. The paths are absolute (QEMU runs in `/` once daemonized).
struct InstanceFiles: Sendable, Equatable {
    let directory: String

    init(instancesDirectory: String, instance: InstanceID) {
        directory = instancesDirectory + "/" + instance.rawValue
    }

    /// The root disk: a qcow2 overlay on the cached image.
    var disk: String { directory + "/disk.qcow2" }
    var qmpSocket: String { directory + "/qmp.sock" }
    /// The serial console's output; `console.log.0` holds the previous part once it has been rotated.
    var consoleLog: String { directory + "/console.log" }
    var pidFile: String { directory + "/pid" }
    /// The guest as it was last started (a `GuestSpec` in JSON), from which it is started again.
    var guestFile: String { directory + "/guest.json" }

    /// A unix socket path must fit in `sun_path` (108 bytes with its terminating zero).
    static let maximumSocketPath = 107
}
