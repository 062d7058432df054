import HTTPSupport
import HTTPTypes
import ServiceClients
import StratusCore

/// Cinder's fault messages (cinder/exception.py), as the errors the fault middleware renders.
enum CinderFault {
    static func volumeNotFound(_ id: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Volume \(id) could not be found.", style: .nova)
    }

    static func snapshotNotFound(_ id: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Snapshot \(id) could not be found.", style: .nova)
    }

    static func attachmentNotFound(_ id: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Volume attachment could not be found with filter: attachment_id = \(id).", style: .nova)
    }

    static func volumeTypeNotFound(_ name: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Volume type with name \(name) could not be found.", style: .nova)
    }

    static func imageNotFound(_ id: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Image \(id) could not be found.", style: .nova)
    }

    static func markerNotFound(_ marker: String) -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "Marker \(marker) could not be found.", style: .nova)
    }

    /// Cinder's 404 for a method the request's microversion does not have.
    static func versionNotFound() -> OpenStackFault {
        OpenStackFault(status: .notFound, message: "The resource could not be found.", style: .nova)
    }

    /// `InvalidVolume`: 400.
    static func invalidVolume(_ reason: String) -> StratusError { .badRequest("Invalid volume: \(reason)") }

    /// `InvalidSnapshot`: 400.
    static func invalidSnapshot(_ reason: String) -> StratusError { .badRequest("Invalid snapshot: \(reason)") }

    /// `InvalidInput`: 400.
    static func invalidInput(_ reason: String) -> StratusError { .badRequest("Invalid input received: \(reason)") }

    /// A policy refusal: 403.
    static func policy(_ rule: String) -> StratusError { .forbidden("Policy doesn't allow \(rule) to be performed.") }

    /// `QuotaError` and its kinds: 413.
    static func overQuota(_ message: String) -> StratusError { .payloadTooLarge(message) }
}
