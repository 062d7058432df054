public import StratusCore

// Moving an instance to another host: live (`os-migrateLive`) or cold (`migrate`, then `confirmResize` or
// `revertResize`). The conductor drives both; the destination prepares a guest that waits for the source's, the source
// sends it.

/// compute-api -> conductor: live-migrate the instance (task `migrating`) to `host`, or to one the scheduler picks.
public struct LiveMigrateInstance: RPCMessage {
    public static let method = "live_migrate_instance"
    public var instanceId: InstanceID
    public var host: String?
    public var credentials: Credentials

    public init(instanceId: InstanceID, host: String?, credentials: Credentials) {
        self.instanceId = instanceId
        self.host = host
        self.credentials = credentials
    }
}

/// compute-api -> conductor: cold-migrate the instance (task `resize_prep`) to `host`, or to one the scheduler picks;
/// it ends in VERIFY_RESIZE on the destination.
public struct MigrateInstance: RPCMessage {
    public static let method = "migrate_server"
    public var instanceId: InstanceID
    public var host: String?
    public var credentials: Credentials

    public init(instanceId: InstanceID, host: String?, credentials: Credentials) {
        self.instanceId = instanceId
        self.host = host
        self.credentials = credentials
    }
}

/// compute-api -> conductor: a cold migration waiting in VERIFY_RESIZE is confirmed (the source drops its copy) or
/// reverted (the instance goes back to its source).
public struct FinishColdMigration: RPCMessage {
    public static let method = "finish_cold_migration"
    public var instanceId: InstanceID
    public var confirm: Bool
    public var credentials: Credentials

    public init(instanceId: InstanceID, confirm: Bool, credentials: Credentials) {
        self.instanceId = instanceId
        self.confirm = confirm
        self.credentials = credentials
    }
}

/// conductor -> compute.<destination>: make the instance's guest wait for its state from the source; the reply is
/// where the source sends it (the driver's migration URI).
public struct PrepareMigration: RPCRequest {
    public typealias Reply = String
    public static let method = "pre_migration"
    public var instance: Instance
    public var credentials: Credentials

    public init(instance: Instance, credentials: Credentials) {
        self.instance = instance
        self.credentials = credentials
    }
}

/// conductor -> compute.<source>: send the guest to `destination`, which waits for it at `uri`. Live: it runs on there
/// and the copy here goes. Cold: it is powered off first and the copy here is kept until the move is confirmed. The
/// source reports how it went with `GuestSent`.
public struct SendGuest: RPCMessage {
    public static let method = "send_guest"
    public var instanceId: InstanceID
    public var destination: String
    public var uri: String
    public var live: Bool
    public var credentials: Credentials

    public init(instanceId: InstanceID, destination: String, uri: String, live: Bool, credentials: Credentials) {
        self.instanceId = instanceId
        self.destination = destination
        self.uri = uri
        self.live = live
        self.credentials = credentials
    }
}

/// compute.<source> -> conductor: the guest went to the destination, or it did not (`error`) and is here as it was.
public struct GuestSent: RPCMessage {
    public static let method = "guest_sent"
    public var instanceId: InstanceID
    public var error: String?
    public var credentials: Credentials

    public init(instanceId: InstanceID, error: String?, credentials: Credentials) {
        self.instanceId = instanceId
        self.error = error
        self.credentials = credentials
    }
}

/// conductor -> compute.<destination>, once the instance is placed there: take the guest over (ports bound here, its
/// power state on record). Live: the migration is over. Cold: the guest is started afresh when it ran before
/// (`powerOn`), and the instance waits in VERIFY_RESIZE.
public struct TakeOverGuest: RPCMessage {
    public static let method = "take_over_guest"
    public var instance: Instance
    public var live: Bool
    public var powerOn: Bool
    public var credentials: Credentials

    public init(instance: Instance, live: Bool, powerOn: Bool, credentials: Credentials) {
        self.instance = instance
        self.live = live
        self.powerOn = powerOn
        self.credentials = credentials
    }
}

/// conductor -> compute.<source> of a reverted cold migration: the instance is back; its kept guest runs again when
/// `powerOn`, and the revert is over.
public struct RevertGuest: RPCMessage {
    public static let method = "revert_guest"
    public var instance: Instance
    public var powerOn: Bool
    public var credentials: Credentials

    public init(instance: Instance, powerOn: Bool, credentials: Credentials) {
        self.instance = instance
        self.powerOn = powerOn
        self.credentials = credentials
    }
}

/// conductor -> compute.<host>: a copy of a moved guest that is not wanted any more (the destination's after a failed
/// or reverted move, the source's after a confirmed one) goes; the instance is not on this host.
public struct RemoveMovedGuest: RPCMessage {
    public static let method = "remove_moved_guest"
    public var instanceId: InstanceID
    public var credentials: Credentials

    public init(instanceId: InstanceID, credentials: Credentials) {
        self.instanceId = instanceId
        self.credentials = credentials
    }
}

/// compute-api -> conductor: rebuild the instance (task `rebuilding`), whose host is down, on `host` or one the
/// scheduler picks; `stopped`: it ends SHUTOFF there (from 2.95, or when it was stopped), else ACTIVE.
public struct EvacuateInstance: RPCMessage {
    public static let method = "evacuate_instance"
    public var instanceId: InstanceID
    public var host: String?
    public var stopped: Bool
    public var credentials: Credentials

    public init(instanceId: InstanceID, host: String?, stopped: Bool, credentials: Credentials) {
        self.instanceId = instanceId
        self.host = host
        self.stopped = stopped
        self.credentials = credentials
    }
}

/// conductor -> compute.<destination>: the instance, placed here, is built again from its image on its ports.
public struct RebuildEvacuated: RPCMessage {
    public static let method = "rebuild_evacuated"
    public var instance: Instance
    public var stopped: Bool
    public var credentials: Credentials

    public init(instance: Instance, stopped: Bool, credentials: Credentials) {
        self.instance = instance
        self.stopped = stopped
        self.credentials = credentials
    }
}

/// compute -> conductor, at its start: the instances evacuated from `host` while it was down, whose guests it still
/// has and removes (Nova's `_destroy_evacuated_instances`).
public struct EvacuatedInstances: RPCRequest {
    public typealias Reply = [InstanceID]
    public static let method = "evacuated_instances"
    public var host: String

    public init(host: String) {
        self.host = host
    }
}

/// compute -> conductor: the host removed these evacuated instances' guests; the claims they kept on it go.
public struct EvacuationCleaned: RPCMessage {
    public static let method = "evacuation_cleaned"
    public var host: String
    public var instanceIds: [InstanceID]

    public init(host: String, instanceIds: [InstanceID]) {
        self.host = host
        self.instanceIds = instanceIds
    }
}
