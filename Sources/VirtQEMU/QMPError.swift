/// Why a QMP connection or call failed.
public enum QMPError: Error, Sendable, Equatable {
    /// The socket could not be opened (no QEMU listening there).
    case cannotConnect(socketPath: String, reason: String)
    /// QEMU answered the command with `{"error": {"class": …, "desc": …}}`.
    case commandFailed(command: String, errorClass: String, description: String)
    /// No answer (or no greeting) within the time limit; a late answer is dropped.
    case timedOut(command: String, limit: Duration)
    /// The socket closed (QEMU quit) before the answer came, or before the call was made.
    case connectionClosed
    /// QEMU sent something that is not a QMP message; the connection is given up.
    case protocolViolation(String)
}
