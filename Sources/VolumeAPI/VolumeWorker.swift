public import Database
public import Logging
public import ServiceLifecycle
public import StratusCore

/// Work the volume API hands off and answers before it is done (Cinder's volume manager casts).
enum VolumeJob: Sendable {
    case create(VolumeID, size: Int, source: VolumeSource)
    case extend(VolumeID, size: Int)
    case delete(VolumeID)
    case snapshot(SnapshotID, of: VolumeID)
    case deleteSnapshot(SnapshotID)
}

/// The volume service's worker: runs the backend work of creates, extends, snapshots and deletes, and records the
/// outcome (`available`, or `error`/`error_extending`/`error_deleting` when the backend fails). A Service of the
/// process's ServiceGroup: jobs run as child tasks of `run()`, and a start first settles what an earlier run left
/// unfinished.
public struct VolumeWorker: Service {
    let database: any SQLBackend
    let backend: any VolumeBackend
    let clock: any WallClock
    let logger: Logger
    let ready: @Sendable () async -> Void
    private let jobs: AsyncStream<VolumeJob>
    private let queue: AsyncStream<VolumeJob>.Continuation

    /// `ready` returns once the database is migrated.
    public init(
        database: any SQLBackend, backend: any VolumeBackend, clock: any WallClock, logger: Logger,
        ready: @escaping @Sendable () async -> Void = {}
    ) {
        self.database = database
        self.backend = backend
        self.clock = clock
        self.logger = logger
        self.ready = ready
        let (jobs, queue) = AsyncStream.makeStream(of: VolumeJob.self)
        self.jobs = jobs
        self.queue = queue
    }

    var now: Timestamp { Timestamp(clock.now()) }

    func submit(_ job: VolumeJob) {
        queue.yield(job)
    }

    public func run() async throws {
        await ready()
        try await recover()
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    group.addTask { await perform(job) }
                }
            }
        }
    }

    /// What an earlier run left in a transient status: creates and extends that were cut off failed; deletes are
    /// done again.
    func recover() async throws {
        let repository = database.volumes
        for volume in try await repository.volumes(project: nil) {
            switch volume.status {
            case .creating: _ = try await repository.transitionVolume(volume.id, from: [.creating], to: .error, at: now)
            case .extending: _ = try await repository.transitionVolume(volume.id, from: [.extending], to: .errorExtending, at: now)
            case .deleting: submit(.delete(volume.id))
            default: break
            }
        }
        for snapshot in try await repository.snapshots(project: nil, volume: nil) {
            switch snapshot.status {
            case .creating: try await setSnapshot(snapshot.id, status: .error)
            case .deleting: submit(.deleteSnapshot(snapshot.id))
            default: break
            }
        }
    }

    func perform(_ job: VolumeJob) async {
        do {
            try await execute(job)
        } catch {
            logger.error("volume job failed: \(String(describing: error))", metadata: ["job": .string("\(job)")])
            do {
                try await recordFailure(of: job)
            } catch {
                logger.error("could not record the failure of a volume job: \(String(describing: error))")
            }
        }
    }

    private func execute(_ job: VolumeJob) async throws {
        let repository = database.volumes
        switch job {
        case .create(let id, let size, let source):
            do {
                try await backend.create(id, size: size, from: source)
            } catch {
                try? await backend.delete(id)
                throw error
            }
            guard try await repository.transitionVolume(id, from: [.creating], to: .available, at: now) else {
                logger.warning("volume left creating before its data was made", metadata: ["volume_id": .string(id.rawValue)])
                return
            }
        case .extend(let id, let size):
            try await backend.extend(id, to: size)
            try await database.transaction { tx in
                guard var volume = try await tx.volumes.volume(id), volume.status == .extending else { return }
                volume.size = size
                volume.status = .available
                volume.updatedAt = now
                try await tx.volumes.updateVolume(volume)
            }
        case .delete(let id):
            try await backend.delete(id)
            try await repository.deleteVolume(id)
        case .snapshot(let id, let volume):
            try await backend.snapshot(id, of: volume)
            try await setSnapshot(id, status: .available)
        case .deleteSnapshot(let id):
            try await backend.deleteSnapshot(id)
            try await repository.deleteSnapshot(id)
        }
    }

    private func recordFailure(of job: VolumeJob) async throws {
        let repository = database.volumes
        switch job {
        case .create(let id, _, _): _ = try await repository.transitionVolume(id, from: [.creating], to: .error, at: now)
        case .extend(let id, _): _ = try await repository.transitionVolume(id, from: [.extending], to: .errorExtending, at: now)
        case .delete(let id): _ = try await repository.transitionVolume(id, from: [.deleting], to: .errorDeleting, at: now)
        case .snapshot(let id, _): try await setSnapshot(id, status: .error)
        case .deleteSnapshot(let id): try await setSnapshot(id, status: .errorDeleting)
        }
    }

    private func setSnapshot(_ id: SnapshotID, status: VolumeSnapshot.Status) async throws {
        try await database.transaction { tx in
            guard var snapshot = try await tx.volumes.snapshot(id) else { return }
            snapshot.status = status
            snapshot.updatedAt = now
            try await tx.volumes.updateSnapshot(snapshot)
        }
    }
}
