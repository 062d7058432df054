import Logging
public import ServiceLifecycle

/// A job run every `interval` once `ready` returns, until shutdown (Nova's periodic tasks). A failing run is logged
/// and the next one comes at its time.
struct PeriodicTask: Service {
    let name: String
    let interval: Duration
    let ready: @Sendable () async -> Void
    let logger: Logger
    let job: @Sendable () async throws -> Void

    init(_ name: String, every interval: Duration, after ready: @escaping @Sendable () async -> Void, logger: Logger,
         _ job: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.interval = interval
        self.ready = ready
        self.logger = logger
        self.job = job
    }

    func run() async throws {
        await ready()
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: interval)
                    try await job()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("\(name) failed: \(error)")
                }
            }
        }
    }
}
