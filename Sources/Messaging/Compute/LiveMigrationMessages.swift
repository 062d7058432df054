public import StratusCore

/// compute-api -> conductor: live-migrate the instance (its task state is `migrating`) to `host`, or to a host the
/// scheduler picks when nil.
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

/// conductor -> compute.<destination>: make the instance's guest wait for its state from the source; the reply is
/// where the source sends it (the driver's migration URI).
public struct PrepareLiveMigration: RPCRequest {
    public typealias Reply = String
    public static let method = "pre_live_migration"
    public var instance: Instance
    public var credentials: Credentials

    public init(instance: Instance, credentials: Credentials) {
        self.instance = instance
        self.credentials = credentials
    }
}

/// conductor -> compute.<source>: send the guest to `destination`, which waits for it at `uri`; the source reports
/// how it went with `LiveMigrationFinished`.
public struct LiveMigrate: RPCMessage {
    public static let method = "live_migration"
    public var instanceId: InstanceID
    public var destination: String
    public var uri: String
    public var credentials: Credentials

    public init(instanceId: InstanceID, destination: String, uri: String, credentials: Credentials) {
        self.instanceId = instanceId
        self.destination = destination
        self.uri = uri
        self.credentials = credentials
    }
}

/// compute.<source> -> conductor: the guest went to the destination (its copy here is gone), or it did not (`error`)
/// and runs on here.
public struct LiveMigrationFinished: RPCMessage {
    public static let method = "live_migration_finished"
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
/// power state on record) and end the migration.
public struct CompleteLiveMigration: RPCMessage {
    public static let method = "post_live_migration_at_destination"
    public var instance: Instance
    public var credentials: Credentials

    public init(instance: Instance, credentials: Credentials) {
        self.instance = instance
        self.credentials = credentials
    }
}

/// conductor -> compute.<destination>: the migration did not happen; remove the guest that waited for it.
public struct AbortIncomingMigration: RPCMessage {
    public static let method = "rollback_live_migration_at_destination"
    public var instanceId: InstanceID
    public var credentials: Credentials

    public init(instanceId: InstanceID, credentials: Credentials) {
        self.instanceId = instanceId
        self.credentials = credentials
    }
}
