import Synchronization

/// `http://HOST:PORT` of the listener that serves the APIs, which the dashboard calls: known for sure only once the
/// listener is bound (a port of 0 picks one).
public final class ListenerURL: Sendable {
    private let value: Mutex<String>

    public init(_ url: String) {
        value = Mutex(url)
    }

    public var url: String {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
