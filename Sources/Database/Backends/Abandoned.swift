import StratusCore
import Synchronization

/// `body`'s result, or `StratusError.unavailable` once `deadline` passes first; `body` is then cancelled and left to
/// finish (or never) on its own, unwaited for. For operations a library may leave hanging.
func abandoned<T: Sendable>(after deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, tasks: [
                Task {
                    do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
                },
                Task {
                    guard (try? await Task.sleep(for: deadline)) != nil else { return }
                    race.finish(.failure(StratusError.unavailable("The database did not answer in time; try again.")))
                },
            ])
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first outcome of `abandoned`'s tasks resumes its caller and cancels them all.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var tasks: [Task<Void, Never>] = []
        var outcome: Result<T, any Error>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, tasks: [Task<Void, Never>]) {
        let early = state.withLock { state in
            state.tasks = tasks
            guard let outcome = state.outcome else {
                state.continuation = continuation
                return nil as Result<T, any Error>?
            }
            return outcome
        }
        if let early {
            for task in tasks { task.cancel() }
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, tasks) = state.withLock { state in
            guard state.outcome == nil else { return (nil as CheckedContinuation<T, any Error>?, [Task<Void, Never>]()) }
            state.outcome = result
            defer { state.continuation = nil }
            return (state.continuation, state.tasks)
        }
        for task in tasks { task.cancel() }
        continuation?.resume(with: result)
    }
}
