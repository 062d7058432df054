/// At most `limit` guest starts at once on a host: TCG boots share the host's cores, and eight at once on two cores
/// took nine times as long as one. Waiters are let in first come, first served.
actor BootLimiter {
    let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Runs `body` once fewer than `limit` others run.
    func run<Result: Sendable>(_ body: @Sendable () async throws -> Result) async throws -> Result {
        if running < limit {
            running += 1
        } else {
            // The finishing run hands its place over, so `running` stays counted.
            await withCheckedContinuation { waiting.append($0) }
        }
        defer {
            if waiting.isEmpty { running -= 1 } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
