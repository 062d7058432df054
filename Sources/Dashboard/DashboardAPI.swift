import Foundation
import ServiceClients

/// The dashboard's door to the cloud: the public APIs over HTTP, with the logged-in user's own token, as Horizon calls
/// them. Policy, quotas and validation are the APIs'; a page shows what they answer, faults included.
struct DashboardAPI: Sendable {
    /// `http://HOST:PORT` of the APIs (the same listener, once it is bound).
    let baseURL: @Sendable () -> String
    let http = ServiceHTTPClient(timeout: .seconds(30))
    /// For uploads, which take as long as the browser takes to send the file.
    let upload = ServiceHTTPClient(timeout: .seconds(3600))

    /// An API's answer: its status, JSON body (empty when there is none) and headers.
    struct Reply {
        var status: Int
        var body: [String: Any]
        var subjectToken: String?

        var isSuccess: Bool { (200..<300).contains(status) }

        /// The message of an OpenStack fault body, whichever service's shape (`{"badRequest": {"message": …}}`,
        /// `{"error": {"message": …}}`, `{"NeutronError": {"message": …}}`).
        var faultMessage: String {
            for value in body.values {
                if let fault = value as? [String: Any], let message = fault["message"] as? String { return message }
            }
            return "The request failed (HTTP \(status))."
        }
    }

    /// The compute API's microversion the pages read and write at (`locked`, the flavor's name in the server).
    static let computeVersion = "compute 2.79"

    func call(
        _ method: String, _ path: String, token: String?, body: Any? = nil, headers extra: [(String, String)] = []
    ) async throws -> Reply {
        // A header of the caller's replaces the default of the same name (the volume API's microversion).
        var headers = [("Accept", "application/json"), ("OpenStack-API-Version", Self.computeVersion)].filter { header in
            !extra.contains { $0.0 == header.0 }
        } + extra
        if let token { headers.append(("X-Auth-Token", token)) }
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
            if !extra.contains(where: { $0.0 == "Content-Type" }) { headers.append(("Content-Type", "application/json")) }
        }
        let response = try await http.send(method, baseURL() + path, headers: headers, body: bytes)
        let object = response.body.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return Reply(status: response.status, body: object, subjectToken: response.header("X-Subject-Token"))
    }

    /// The list under `key` of a successful GET; a failed one throws its fault.
    func list(_ path: String, _ key: String, token: String) async throws -> [[String: Any]] {
        let reply = try await call("GET", path, token: token)
        guard reply.isSuccess else { throw DashboardError.api(reply.status, reply.faultMessage) }
        return reply.body[key] as? [[String: Any]] ?? []
    }

    /// The object under `key` of a successful GET.
    /// The object a GET answers, under `key` (nil: the body itself, as Glance sends an image).
    func object(_ path: String, _ key: String?, token: String) async throws -> [String: Any] {
        let reply = try await call("GET", path, token: token)
        guard reply.isSuccess else { throw DashboardError.api(reply.status, reply.faultMessage) }
        guard let key else { return reply.body }
        return reply.body[key] as? [String: Any] ?? [:]
    }
}

/// What stops a page: an API's refusal (shown with its status and message), a session that is over, or a form field
/// the dashboard refuses before any API call (the browser goes `back`, where the message is shown next to the field).
enum DashboardError: Error {
    case api(Int, String)
    case loggedOut(String)
    case badField(String, message: String, back: String)
}
