public import Database
import Foundation
public import ImageAPI
public import HTTPSupport
public import Logging
public import ServiceClients
public import ServiceLifecycle
public import StratusCore
public import VolumeAPI

/// The volume side of one process: the API and its worker, on the backend the compute driver calls for.
public struct VolumeServices: Sendable {
    public let api: VolumeAPI
    public let backend: any VolumeBackend
    /// The worker, for the process's ServiceGroup.
    public let services: [any Service]

    /// `--driver qemu` keeps volumes as qcow2 files in `DATA-DIR/volumes` (an absolute path); `--driver fake` keeps no data
    /// (`FakeVolumeBackend`). The worker starts once `ready` returns (the database is migrated).
    public init(
        database: any SQLBackend, driver: ComputeDriverChoice, dataDirectory: String, image: ImageAPI, tokens: any TokenValidator,
        clock: any WallClock, publicURL: String, ready: @escaping @Sendable () async -> Void = {}, logger: Logger
    ) {
        switch driver {
        case .fake: backend = FakeVolumeBackend()
        // Absolute: compute hosts get the path in the attachment's connection info.
        case .qemu: backend = FileVolumeBackend(directory: URL(fileURLWithPath: dataDirectory + "/volumes").standardizedFileURL.path)
        }
        let worker = VolumeWorker(database: database, backend: backend, clock: clock, logger: logger, ready: ready)
        let service = VolumeService(database: database, backend: backend, worker: worker, images: image, clock: clock)
        api = VolumeAPI(service: service, baseURL: publicURL + "/volume", tokens: tokens)
        services = [worker]
    }
}

extension ImageAPI: VolumeImageSource {}
