import Logging
public import ServiceLifecycle

/// A job run once, when `ready` returns (Nova's `init_host`), then waiting for shutdown like the other services. A
/// failure is logged; the process runs on.
struct StartupTask: Service {
    let name: String
    let ready: @Sendable () async -> Void
    let logger: Logger
    let job: @Sendable () async throws -> Void

    init(_ name: String, after ready: @escaping @Sendable () async -> Void, logger: Logger, _ job: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.ready = ready
        self.logger = logger
        self.job = job
    }

    func run() async throws {
        await ready()
        do {
            try await cancelWhenGracefulShutdown { try await job() }
        } catch is CancellationError {
        } catch {
            logger.warning("\(name) failed: \(error)")
        }
        // A service that returns would stop the process's service group.
        try? await gracefulShutdown()
    }
}
