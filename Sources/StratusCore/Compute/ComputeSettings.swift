/// The compute service's knobs that Nova keeps in nova.conf, with Nova's defaults.
public struct ComputeSettings: Sendable, Equatable {
    /// What a compute host does, when it starts, with a guest that no instance of the host owns (Nova's
    /// `running_deleted_instance_action`): the guest of an instance deleted while the host was down, or left by hand.
    public enum OrphanedGuestAction: String, Sendable, CaseIterable {
        /// Only logs it.
        case log
        /// Logs it and powers it off, keeping its files.
        case shutdown
        /// Logs it and destroys it with its files.
        case reap
    }

    /// Seconds a deleted server stays SOFT_DELETED (restorable) before it is reclaimed; 0 deletes at once.
    public var reclaimInstanceInterval: Int
    /// Seconds between comparisons of each host's guests with the power state on record; 0 turns the sync off.
    public var syncPowerStateInterval: Int
    public var orphanedGuestAction: OrphanedGuestAction
    /// Seconds a cached image no guest of the host uses is kept before it is removed (Nova's
    /// `remove_unused_original_minimum_age_seconds`); 0 keeps cached images forever.
    public var imageCacheMaxAge: Int
    /// Seconds between runs of the image cache cleanup (Nova's `[image_cache] manager_interval`).
    public var imageCacheInterval: Int
    /// Nova's `force_config_drive`: every guest gets a config drive, whether its boot asked for one or not.
    public var forceConfigDrive: Bool
    /// The remote consoles' tokens, URLs and allowed origins.
    public var consoles: ConsoleSettings
    /// Seconds between a compute host's reports of itself (Nova's `report_interval`).
    public var reportInterval: Int
    /// Seconds without a report after which a compute host is down: the scheduler skips it, the API shows it down
    /// (Nova's `service_down_time`).
    public var serviceDownTime: Int

    public init(
        reclaimInstanceInterval: Int = 0, syncPowerStateInterval: Int = 600, orphanedGuestAction: OrphanedGuestAction = .shutdown,
        imageCacheMaxAge: Int = 86_400, imageCacheInterval: Int = 2400, forceConfigDrive: Bool = false, consoles: ConsoleSettings = ConsoleSettings(),
        reportInterval: Int = 10, serviceDownTime: Int = 60
    ) {
        self.reportInterval = reportInterval
        self.serviceDownTime = serviceDownTime
        self.consoles = consoles
        self.reclaimInstanceInterval = reclaimInstanceInterval
        self.syncPowerStateInterval = syncPowerStateInterval
        self.orphanedGuestAction = orphanedGuestAction
        self.imageCacheMaxAge = imageCacheMaxAge
        self.imageCacheInterval = imageCacheInterval
        self.forceConfigDrive = forceConfigDrive
    }
}
