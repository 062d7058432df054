import Logging
public import Messaging
public import ServiceLifecycle

/// Tells the conductor that the host is alive, with its resources, at start and then every `interval`; the
/// scheduler skips a host whose reports stop. A failed report is retried soon, backing off to the interval.
public struct HeartbeatService: Service {
    let manager: ComputeManager
    let interval: Duration
    /// Returns once the control plane can take reports (its database migrated).
    let ready: @Sendable () async -> Void

    public init(manager: ComputeManager, interval: Duration = .seconds(10), ready: @escaping @Sendable () async -> Void) {
        self.manager = manager
        self.interval = interval
        self.ready = ready
    }

    public func run() async throws {
        await ready()
        try await cancelWhenGracefulShutdown {
            var retry = Duration.milliseconds(50)
            while !Task.isCancelled {
                do {
                    try await manager.conductor.reportHost(try await manager.nodeReport())
                    retry = .milliseconds(50)
                    try await Task.sleep(for: interval)
                } catch is CancellationError {
                    return
                } catch {
                    if retry >= interval { manager.logger.warning("compute \(manager.host): heartbeat failed: \(error)") }
                    // A shutdown stops the conductor first: the report fails, then this wait is cancelled. That is the
                    // end of the service, not a failure of it (which would fail the process's exit).
                    do { try await Task.sleep(for: retry) } catch { return }
                    retry = min(retry * 2, interval)
                }
            }
        }
    }
}
