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
    /// The flavor's ephemeral disk (qcow2), when it has one.
    var ephemeralDisk: String { directory + "/disk.eph0" }
    /// The flavor's swap disk (qcow2), when it has one.
    var swapDisk: String { directory + "/disk.swap" }
    /// A suspended guest's RAM and device state (QEMU's migration stream), from which it is resumed.
    var savedState: String { directory + "/state.save" }
    /// The state while it is being written: only a complete save is renamed to `savedState`.
    var savingState: String { directory + "/state.save.partial" }
    var qmpSocket: String { directory + "/qmp.sock" }
    /// The guest's screen as a VNC server, for the console proxy only: a unix socket, never a network port.
    var vncSocket: String { directory + "/vnc.sock" }
    /// The guest's serial port, for the serial console proxy; what it writes also goes to `consoleLog`.
    var serialSocket: String { directory + "/serial.sock" }
    /// The serial console's output; `console.log.0` holds the previous part once it has been rotated.
    var consoleLog: String { directory + "/console.log" }
    var pidFile: String { directory + "/pid" }
    /// The config drive (ISO 9660, label `config-2`), when the guest has one.
    var configDrive: String { directory + "/config.iso" }
    /// The guest as it was last started (a `GuestSpec` in JSON), from which it is started again.
    var guestFile: String { directory + "/guest.json" }

    /// A unix socket path must fit in `sun_path` (108 bytes with its terminating zero).
    static let maximumSocketPath = 107
}
