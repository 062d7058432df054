public import Foundation

/// The time of day, injected so tests can move it (token expiry, revocation).
public protocol WallClock: Sendable {
    func now() -> Date
}

/// The system's clock.
public struct SystemWallClock: WallClock {
    public init() {}
    public func now() -> Date { Date() }
}
