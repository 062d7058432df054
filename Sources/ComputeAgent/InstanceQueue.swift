import StratusCore

/// Runs the operations on one instance one after another, as Nova's per-instance lock does; different instances
/// proceed in parallel.
actor InstanceQueue {
    private var tails: [InstanceID: Task<Void, Never>] = [:]

    /// Runs `body` after every operation queued before it on `instance` has finished.
    func run(_ instance: InstanceID, _ body: @escaping @Sendable () async -> Void) async {
        let previous = tails[instance]
        let task = Task {
            await previous?.value
            await body()
        }
        tails[instance] = task
        await task.value
        if tails[instance] == task { tails[instance] = nil }
    }

    /// Runs `body` as `run(_:_:)` does and returns its result (or rethrows its error), for calls that answer.
    func call<Result: Sendable>(_ instance: InstanceID, _ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let previous = tails[instance]
        let work = Task {
            await previous?.value
            return try await body()
        }
        let task = Task { _ = await work.result }
        tails[instance] = task
        await task.value
        if tails[instance] == task { tails[instance] = nil }
        return try await work.value
    }
}
