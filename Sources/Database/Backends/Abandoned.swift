import StratusCore
import Synchronization

/// `body`'s result, or `StratusError.unavailable` once `deadline` passes first; `body` is then cancelled and left to
/// finish (or never) on its own, unwaited for. For operations a library may leave hanging.
///
/// The deadlines of all operations are kept by one watchdog that looks every second (a timer per operation cost a
/// fifth of a message bus call's round trip): an operation is given up between `deadline` and a second later.
func abandoned<T: Sendable>(after deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, task: Task {
                do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
            })
            Watchdog.shared.watch(race, until: .now + deadline)
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// Something the watchdog gives up once its deadline passes.
private protocol Expiring: AnyObject, Sendable {
    /// Gives up (nothing, when it finished already).
    func expire()
    var isFinished: Bool { get }
}

/// The first outcome of `abandoned`'s body or watchdog resumes its caller and cancels the body.
private final class Race<T: Sendable>: Expiring {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var task: Task<Void, Never>?
        var outcome: Result<T, any Error>?
    }

    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, task: Task<Void, Never>) {
        let early = state.withLock { state in
            state.task = task
            guard let outcome = state.outcome else {
                state.continuation = continuation
                return nil as Result<T, any Error>?
            }
            return outcome
        }
        if let early {
            task.cancel()
            continuation.resume(with: early)
        }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, task, first) = state.withLock { state in
            guard state.outcome == nil else { return (nil as CheckedContinuation<T, any Error>?, nil as Task<Void, Never>?, false) }
            state.outcome = result
            defer { state.continuation = nil }
            return (state.continuation, state.task, true)
        }
        if first, case .failure = result { task?.cancel() }
        continuation?.resume(with: result)
    }

    func expire() {
        finish(.failure(StratusError.unavailable("The database did not answer in time; try again.")))
    }

    var isFinished: Bool { state.withLock { $0.outcome != nil } }
}

/// The process's one keeper of `abandoned`'s deadlines.
private final class Watchdog: Sendable {
    static let shared = Watchdog()

    private struct Watch {
        var item: any Expiring
        var deadline: ContinuousClock.Instant
    }

    private let watches = Mutex<(items: [Watch], looking: Bool)>(([], false))

    func watch(_ item: any Expiring, until deadline: ContinuousClock.Instant) {
        let start = watches.withLock { state in
            state.items.append(Watch(item: item, deadline: deadline))
            defer { state.looking = true }
            return !state.looking
        }
        if start { Task.detached { await self.look() } }
    }

    /// Every second while anything is watched: gives up what is past its deadline, forgets what finished.
    private func look() async {
        while true {
            try? await Task.sleep(for: .seconds(1))
            let now = ContinuousClock.now
            let expired = watches.withLock { state -> [any Expiring]? in
                let expired = state.items.filter { !$0.item.isFinished && $0.deadline <= now }.map(\.item)
                state.items.removeAll { $0.item.isFinished || $0.deadline <= now }
                guard !state.items.isEmpty || !expired.isEmpty else {
                    state.looking = false
                    return nil
                }
                return expired
            }
            guard let expired else { return }
            for item in expired { item.expire() }
        }
    }
}
