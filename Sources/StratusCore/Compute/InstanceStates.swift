/// Nova's `vm_state`: where an instance is in its life, stable between operations.
public enum VMState: String, Sendable, Codable, CaseIterable {
    case active, building, paused, suspended, stopped, rescued, resized, deleted, error, shelved
    case softDeleted = "soft-delete"
    case shelvedOffloaded = "shelved_offloaded"
}

/// Nova's `task_state`: the operation in progress, if any.
public enum TaskState: String, Sendable, Codable, CaseIterable {
    case scheduling, networking, spawning, rebooting, pausing, unpausing, suspending, resuming, rescuing, unrescuing
    case rebuilding, migrating, deleting, restoring, shelving, unshelving
    case blockDeviceMapping = "block_device_mapping"
    case imageSnapshot = "image_snapshot"
    case imageSnapshotPending = "image_snapshot_pending"
    case imagePendingUpload = "image_pending_upload"
    case imageUploading = "image_uploading"
    case updatingPassword = "updating_password"
    case resizePrep = "resize_prep"
    case resizeMigrating = "resize_migrating"
    case resizeMigrated = "resize_migrated"
    case resizeFinish = "resize_finish"
    case resizeReverting = "resize_reverting"
    case resizeConfirming = "resize_confirming"
    case rebootPending = "reboot_pending"
    case rebootStarted = "reboot_started"
    case rebootingHard = "rebooting_hard"
    case rebootPendingHard = "reboot_pending_hard"
    case rebootStartedHard = "reboot_started_hard"
    case poweringOff = "powering-off"
    case poweringOn = "powering-on"
    case rebuildBlockDeviceMapping = "rebuild_block_device_mapping"
    case rebuildSpawning = "rebuild_spawning"
    case softDeleting = "soft-deleting"
    case shelvingImagePendingUpload = "shelving_image_pending_upload"
    case shelvingImageUploading = "shelving_image_uploading"
    case shelvingOffloading = "shelving_offloading"
}

/// Nova's `power_state`, as the hypervisor reports it.
public enum PowerState: Int, Sendable, Codable, CaseIterable {
    case noState = 0
    case running = 1
    case paused = 3
    case shutdown = 4
    case crashed = 6
    case suspended = 7
}

/// The `status` the compute API shows for a vm_state and task_state (nova/api/openstack/common.py).
public enum ServerStatus {
    public static func of(_ vmState: VMState, _ taskState: TaskState?) -> String {
        let resizing: Set<TaskState> = [.resizePrep, .resizeMigrating, .resizeMigrated, .resizeFinish]
        let rebuilding: Set<TaskState> = [.rebuilding, .rebuildBlockDeviceMapping, .rebuildSpawning]
        switch vmState {
        case .active:
            switch taskState {
            case .rebooting?, .rebootPending?, .rebootStarted?: return "REBOOT"
            case .rebootingHard?, .rebootPendingHard?, .rebootStartedHard?: return "HARD_REBOOT"
            case .updatingPassword?: return "PASSWORD"
            case .migrating?: return "MIGRATING"
            case let task? where rebuilding.contains(task): return "REBUILD"
            case let task? where resizing.contains(task): return "RESIZE"
            default: return "ACTIVE"
            }
        case .building: return "BUILD"
        case .stopped:
            if let taskState, resizing.contains(taskState) { return "RESIZE" }
            if let taskState, rebuilding.contains(taskState) { return "REBUILD" }
            return "SHUTOFF"
        case .resized: return taskState == .resizeReverting ? "REVERT_RESIZE" : "VERIFY_RESIZE"
        case .paused: return taskState == .migrating ? "MIGRATING" : "PAUSED"
        case .suspended: return "SUSPENDED"
        case .rescued: return "RESCUE"
        case .error:
            if let taskState, rebuilding.contains(taskState) { return "REBUILD" }
            return "ERROR"
        case .deleted: return "DELETED"
        case .softDeleted: return "SOFT_DELETED"
        case .shelved: return "SHELVED"
        case .shelvedOffloaded: return "SHELVED_OFFLOADED"
        }
    }
}
