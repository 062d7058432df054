public import GuestMetadata
public import HTTPSupport
public import ServiceClients
public import StratusCore

/// The metadata proxy of one guest (Nova's metadata proxy): QEMU's `guestfwd` runs it for each connection the guest
/// opens to 169.254.169.254:80, with the connection on its standard input and output. It reads the guest's request
/// head, asks the metadata API at `endpoint` for the same path as `instance`, signed (`X-Instance-ID-Signature`), and
/// answers with what the API said. Nothing the guest sends but the method and path reaches the API: a guest cannot
/// name another instance.
public struct MetadataRelay: Sendable {
    public let instance: InstanceID
    /// The metadata API, e.g. `http://127.0.0.1:8780/metadata`.
    public let endpoint: String
    let signer: MetadataSigner
    let client: ServiceHTTPClient

    /// The longest request head a guest may send.
    public static let maximumHead = 8192

    public init(instance: InstanceID, endpoint: String, signer: MetadataSigner, client: ServiceHTTPClient = ServiceHTTPClient()) {
        self.instance = instance
        self.endpoint = endpoint
        self.signer = signer
        self.client = client
    }

    /// Whether `bytes` hold a whole request head (up to its blank line).
    public static func isComplete(_ bytes: [UInt8]) -> Bool {
        let lineFeeds = bytes.prefix(maximumHead).enumerated().filter { $0.element == UInt8(ascii: "\n") }.map(\.offset)
        // A blank line: two line feeds with at most a carriage return between them.
        return zip(lineFeeds, lineFeeds.dropFirst()).contains { $1 - $0 == 1 || ($1 - $0 == 2 && bytes[$0 + 1] == UInt8(ascii: "\r")) }
    }

    /// The HTTP response (HTTP/1.0, closing the connection) to the guest's request head.
    public func respond(toHead head: [UInt8]) async -> [UInt8] {
        // By bytes: Swift's strings take "\r\n" as one character.
        var line = head.prefix(Self.maximumHead).prefix { $0 != UInt8(ascii: "\n") }
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        let parts = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), Self.isSafePath(parts[1]) else {
            return Self.response(400, body: "Bad Request: the request line must be METHOD /path HTTP/1.x")
        }
        let method = String(parts[0])
        guard method == "GET" || method == "HEAD" else {
            return Self.response(405, body: "Method Not Allowed: the metadata service answers GET and HEAD")
        }
        do {
            let answer = try await client.send(
                "GET", endpoint + parts[1],
                headers: [("X-Instance-ID", instance.rawValue), ("X-Instance-ID-Signature", signer.signature(for: instance))]
            )
            return Self.response(answer.status, contentType: answer.header("Content-Type"), body: answer.body, headOnly: method == "HEAD")
        } catch {
            return Self.response(502, body: "Bad Gateway: the metadata service cannot be reached")
        }
    }

    /// A path of printable ASCII without spaces, under `/`: what the metadata tree has, and nothing that could make
    /// the relay ask another host or another path than the guest's own.
    static func isSafePath(_ path: Substring) -> Bool {
        guard path.hasPrefix("/"), !path.contains("..") else { return false }
        return path.utf8.allSatisfy { (0x21...0x7e).contains($0) && $0 != UInt8(ascii: "\\") && $0 != UInt8(ascii: "#") }
    }

    static func response(_ status: Int, contentType: String? = "text/plain", body: String) -> [UInt8] {
        response(status, contentType: contentType, body: Array((body + "\n").utf8), headOnly: false)
    }

    static func response(_ status: Int, contentType: String?, body: [UInt8], headOnly: Bool) -> [UInt8] {
        var head = "HTTP/1.0 \(status) \(reason(status))\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + (headOnly ? [] : body)
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 502: "Bad Gateway"
        default: status < 500 ? "Client Error" : "Server Error"
        }
    }
}
