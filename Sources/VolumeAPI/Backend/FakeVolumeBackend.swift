import Synchronization
public import StratusCore

/// A backend that keeps no data, only the sizes of what it holds (the cloud's `--driver fake`), with failure
/// injection for tests.
public final class FakeVolumeBackend: VolumeBackend {
    /// What the backend holds: sizes in GiB by volume and snapshot id.
    public struct Contents: Sendable, Equatable {
        public var volumes: [VolumeID: Int] = [:]
        public var snapshots: [SnapshotID: Int] = [:]
    }

    private let state = Mutex((contents: Contents(), failNext: false))

    public init() {}

    public var name: String { "fake" }

    /// What it holds now.
    public var contents: Contents { state.withLock { $0.contents } }

    /// Makes the next create, extend or snapshot fail.
    public func failNext() {
        state.withLock { $0.failNext = true }
    }

    public func create(_ volume: VolumeID, size: Int, from source: VolumeSource) async throws {
        try state.withLock { state in
            try Self.checkFailure(&state.failNext)
            switch source {
            case .blank, .image: break
            case .snapshot(let id):
                guard state.contents.snapshots[id] != nil else { throw VolumeBackendError("snapshot \(id) has no data") }
            case .volume(let id):
                guard state.contents.volumes[id] != nil else { throw VolumeBackendError("volume \(id) has no data") }
            }
            state.contents.volumes[volume] = size
        }
    }

    public func extend(_ volume: VolumeID, to size: Int) async throws {
        try state.withLock { state in
            try Self.checkFailure(&state.failNext)
            guard state.contents.volumes[volume] != nil else { throw VolumeBackendError("volume \(volume) has no data") }
            state.contents.volumes[volume] = size
        }
    }

    public func snapshot(_ snapshot: SnapshotID, of volume: VolumeID) async throws {
        try state.withLock { state in
            try Self.checkFailure(&state.failNext)
            guard let size = state.contents.volumes[volume] else { throw VolumeBackendError("volume \(volume) has no data") }
            state.contents.snapshots[snapshot] = size
        }
    }

    public func delete(_ volume: VolumeID) async throws {
        _ = state.withLock { $0.contents.volumes.removeValue(forKey: volume) }
    }

    public func deleteSnapshot(_ snapshot: SnapshotID) async throws {
        _ = state.withLock { $0.contents.snapshots.removeValue(forKey: snapshot) }
    }

    public func connectionInfo(_ volume: VolumeID) -> VolumeAttachment.ConnectionInfo {
        VolumeAttachment.ConnectionInfo(driverVolumeType: "file", path: "/fake-volumes/volume-\(volume).qcow2", format: "qcow2")
    }

    private static func checkFailure(_ failNext: inout Bool) throws {
        if failNext {
            failNext = false
            throw VolumeBackendError("injected failure")
        }
    }
}
