import Foundation
public import StratusCore

/// The volume service's REST API (Cinder v3 at microversion 3.44) called with a user's token, as Nova calls Cinder;
/// shared by the compute API and the compute hosts.
public struct VolumeServiceHTTP: Sendable {
    /// `http://HOST:PORT/volume`, from the catalog.
    let baseURL: String
    let http: ServiceHTTPClient

    public init(baseURL: String, http: ServiceHTTPClient = ServiceHTTPClient()) {
        self.baseURL = baseURL
        self.http = http
    }

    /// The reply's status and JSON object (empty for 204). A 404 is returned: the caller decides what is missing.
    /// Other faults become the error of their status, with the volume service's message.
    public func send(
        _ method: String, _ path: String, body: JSONValue? = nil, token: String, requestId: String? = nil
    ) async throws -> (status: Int, object: [String: JSONValue]) {
        var headers = [("X-Auth-Token", token), ("Accept", "application/json"), ("OpenStack-API-Version", "volume 3.44")]
        if let requestId { headers.append(("X-OpenStack-Request-ID", requestId)) }
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONEncoder().encode(body))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await http.send(method, baseURL + "/v3" + path, headers: headers, body: bytes)
        if response.status == 404 { return (404, [:]) }
        let decoded = response.body.isEmpty ? nil : try? JSONDecoder().decode([String: JSONValue].self, from: Data(response.body))
        guard (200..<300).contains(response.status) else {
            // Cinder's faults are Nova's: {"badRequest": {"code": 400, "message": "…"}}.
            var message = "The volume service answered \(response.status) to \(method) \(path)."
            if let fault = decoded?.values.first, case .object(let fields) = fault, case .string(let text)? = fields["message"] { message = text }
            switch response.status {
            case 400: throw StratusError.badRequest(message)
            case 403: throw StratusError.forbidden(message)
            case 409: throw StratusError.conflict(message)
            default: throw StratusError.unavailable(message)
            }
        }
        guard response.body.isEmpty || decoded != nil else { throw Self.malformed("body") }
        return (response.status, decoded ?? [:])
    }

    /// A path segment for an id.
    public static func escaped(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?&="))) ?? text
    }

    public static func malformed(_ what: String) -> StratusError {
        StratusError.unavailable("The volume service sent a malformed \(what).")
    }
}
