import Crypto
import Foundation
public import Messaging
public import ServiceClients
public import StratusCore

/// The image service's REST API (Glance v2) as a compute host without the database calls it, with the token of the
/// user whose request it serves: the image's record, its data (checked against the MD5 checksum the service
/// recorded), a snapshot's upload, and the removal of a snapshot that failed.
public struct HTTPImageClient: Sendable {
    let baseURL: String
    let http: ServiceHTTPClient

    /// `baseURL`: `http://HOST:PORT/image`. Image data is read whole: up to `maxImageSize` bytes.
    public init(baseURL: String, maxImageSize: Int = 4 << 30) {
        self.baseURL = baseURL
        http = ServiceHTTPClient(timeout: .seconds(600), maxBodySize: maxImageSize)
    }

    func send(_ method: String, _ path: String, body: [UInt8]? = nil, contentType: String? = nil, credentials: Credentials) async throws -> ServiceHTTPClient.Response {
        var headers = [("X-Auth-Token", credentials.token), ("X-OpenStack-Request-ID", credentials.requestId)]
        if let contentType { headers.append(("Content-Type", contentType)) }
        let response = try await http.send(method, baseURL + "/v2/images/" + path, headers: headers, body: body)
        switch response.status {
        case 200..<300: return response
        case 404: throw StratusError.notFound(kind: "Image", id: String(path.split(separator: "/").first ?? ""))
        default: throw StratusError.unavailable("The image service answered \(method) \(path) with HTTP \(response.status).")
        }
    }

    public func image(_ id: ImageID, credentials: Credentials) async throws -> Image {
        let response = try await send("GET", id.rawValue, credentials: credentials)
        guard let fields = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any], let owner = fields["owner"] as? String else {
            throw StratusError.unavailable("The image service sent a malformed image \(id).")
        }
        let known: Set<String> = [
            "id", "name", "owner", "status", "visibility", "protected", "os_hidden", "disk_format", "container_format", "size", "virtual_size",
            "checksum", "os_hash_algo", "os_hash_value", "min_disk", "min_ram", "created_at", "updated_at", "tags", "self", "file", "schema",
            "direct_url", "locations",
        ]
        let now = Timestamp(Date())
        return Image(
            id: id, name: fields["name"] as? String, owner: ProjectID(owner),
            status: (fields["status"] as? String).flatMap(Image.Status.init(rawValue:)) ?? .queued,
            visibility: (fields["visibility"] as? String).flatMap(Image.Visibility.init(rawValue:)) ?? .shared,
            protected: fields["protected"] as? Bool ?? false, diskFormat: fields["disk_format"] as? String,
            containerFormat: fields["container_format"] as? String, size: (fields["size"] as? NSNumber)?.int64Value,
            virtualSize: (fields["virtual_size"] as? NSNumber)?.int64Value, checksum: fields["checksum"] as? String,
            osHashAlgo: fields["os_hash_algo"] as? String, osHashValue: fields["os_hash_value"] as? String,
            minDisk: fields["min_disk"] as? Int ?? 0, minRam: fields["min_ram"] as? Int ?? 0, createdAt: now, updatedAt: now,
            tags: fields["tags"] as? [String] ?? [],
            properties: fields.filter { !known.contains($0.key) }.compactMapValues { $0 as? String }
        )
    }

    public func download(_ id: ImageID, to path: String, credentials: Credentials) async throws {
        let image = try await image(id, credentials: credentials)
        let data = try await send("GET", id.rawValue + "/file", credentials: credentials).body
        if let checksum = image.checksum {
            let digest = Insecure.MD5.hash(data: data).map { String(format: "%02x", $0) }.joined()
            guard digest == checksum else { throw StratusError.unavailable("The data of image \(id) does not match its checksum.") }
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(data)) else {
            throw StratusError.unavailable("Image \(id) could not be written to \(path).")
        }
    }

    public func upload(_ image: ImageID, file: String, credentials: Credentials) async throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        _ = try await send("PUT", image.rawValue + "/file", body: Array(data), contentType: "application/octet-stream", credentials: credentials)
    }

    public func discard(_ image: ImageID, credentials: Credentials) async throws {
        _ = try await send("DELETE", image.rawValue, credentials: credentials)
    }
}
