import ServiceClients

/// Messages clients see for the common faults, worded as OpenStack words them.
public enum Faults {
    public static let authenticationRequired = "The request you have made requires authentication."
    public static func forbidden(_ action: String) -> String {
        "You are not authorized to perform the requested action: \(action)."
    }
}
