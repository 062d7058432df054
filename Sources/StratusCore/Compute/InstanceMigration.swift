/// A Nova migration record: one move of an instance (a same-host resize, a live migration), and how far it got.
public struct InstanceMigration: Sendable, Codable, Equatable {
    /// Nova's migration statuses that Stratus goes through.
    public enum Status: String, Sendable, Codable, CaseIterable {
        case preMigrating = "pre-migrating"
        case finished
        case confirmed
        case reverting
        case reverted
        case error
        /// A live migration: its destination is being made ready, then the guest's state goes over, then it is done.
        case preparing
        case running
        case completed
        /// A cold migration's guest is going over (then it is `finished`, waiting for a confirm or a revert).
        case migrating
        /// An evacuation: rebuilt on its new host (the old one removes its copy when it is back).
        case done

        /// The move is over; nothing will change the record again.
        public var isFinal: Bool { [.confirmed, .reverted, .error, .completed, .done].contains(self) }
    }

    /// The `migration_type`s of moves to another host (a resize in place is `resize`).
    public static let liveMigration = "live-migration"
    public static let coldMigration = "migration"
    public static let evacuation = "evacuation"

    /// Nova's integer id, assigned by the database.
    public var id: Int
    public var uuid: String
    public var instanceId: InstanceID
    public var projectId: ProjectID
    public var userId: UserID
    public var migrationType: String
    public var status: Status
    public var sourceCompute: String
    public var destCompute: String
    public var oldFlavorId: FlavorID
    public var newFlavorId: FlavorID
    public var createdAt: Timestamp
    public var updatedAt: Timestamp?

    public init(
        id: Int = 0, uuid: String, instanceId: InstanceID, projectId: ProjectID, userId: UserID, migrationType: String = "resize",
        status: Status = .preMigrating, sourceCompute: String, destCompute: String, oldFlavorId: FlavorID, newFlavorId: FlavorID,
        createdAt: Timestamp, updatedAt: Timestamp? = nil
    ) {
        self.id = id
        self.uuid = uuid
        self.instanceId = instanceId
        self.projectId = projectId
        self.userId = userId
        self.migrationType = migrationType
        self.status = status
        self.sourceCompute = sourceCompute
        self.destCompute = destCompute
        self.oldFlavorId = oldFlavorId
        self.newFlavorId = newFlavorId
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// A move to another host that is not over yet (an evacuation is over once rebuilt: its old host's cleanup follows).
    public var isMoveUnderWay: Bool { !status.isFinal && sourceCompute != destCompute }
}
