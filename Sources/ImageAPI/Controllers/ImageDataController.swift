import Database
import HTTPSupport
import HTTPTypes
import Hummingbird
import Logging
import ServiceClients
import StratusCore

/// `PUT/GET /v2/images/{id}/file`: image data streamed to and from the store, never held in memory whole.
///
/// Upload moves the image queued -> saving -> active; a failed or interrupted upload puts it back to queued
/// and leaves no data behind.
struct ImageDataController: Sendable {
    let api: ImageAPI

    func addRoutes(to group: RouterGroup<StratusRequestContext>) {
        group.put("images/{image_id}/file", use: upload)
        group.get("images/{image_id}/file", use: download)
    }

    @Sendable func upload(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let image = try await api.modifiableImage(ImageID(try context.parameters.require("image_id")), auth: auth, action: "upload data to")
        if let contentType = request.headers[.contentType], !contentType.hasPrefix("application/octet-stream") {
            throw StratusError.unsupportedMediaType("Unsupported Content-Type '\(contentType.prefix(64))': upload image data as application/octet-stream.")
        }
        try await api.receiveData(image.id, from: request.body, declaredSize: request.headers[.contentLength].flatMap(Int64.init), logger: context.logger)
        return JSONResponse.empty()
    }

    @Sendable func download(_ request: Request, context: StratusRequestContext) async throws -> Response {
        let auth = try context.requireAuth()
        let image = try await api.visibleImage(ImageID(try context.parameters.require("image_id")), auth: auth)
        if image.status == .deactivated && !auth.isAdmin {
            throw StratusError.forbidden("The requested image has been deactivated. Image data download is forbidden.")
        }
        guard image.status == .active || image.status == .deactivated, let size = try await api.store.size(of: image.id) else {
            return JSONResponse.empty(status: .noContent)
        }
        var headers: HTTPFields = [.contentType: "application/octet-stream"]
        if let checksum = image.checksum { headers[HTTPField.Name("Content-MD5")!] = checksum }
        var status: HTTPResponse.Status = .ok
        var range: ClosedRange<Int64>?
        if let header = request.headers[.range] {
            guard let parsed = Self.parseRange(header, size: size) else {
                let fault = OpenStackFault(
                    status: .rangeNotSatisfiable, message: "Requested range '\(header.prefix(64))' not satisfiable for an image of \(size) bytes.",
                    style: .glance
                )
                var response = try fault.response(from: request, context: context)
                response.headers[.contentRange] = "bytes */\(size)"
                return response
            }
            range = parsed
            status = .partialContent
            headers[.contentRange] = "bytes \(parsed.lowerBound)-\(parsed.upperBound)/\(size)"
        }
        let length = range.map { $0.upperBound - $0.lowerBound + 1 } ?? size
        headers[.contentLength] = String(length)
        let store = api.store
        let id = image.id
        let requested = range
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            try await store.read(id, range: requested, into: &writer)
            try await writer.finish(nil)
        })
    }

    /// One byte range (`bytes=a-b`, `bytes=a-`, `bytes=-n`) within `size`, or nil.
    static func parseRange(_ header: String, size: Int64) -> ClosedRange<Int64>? {
        guard header.hasPrefix("bytes="), size > 0 else { return nil }
        let spec = header.dropFirst("bytes=".count)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return nil }
        let first = spec[..<dash], last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int64(last), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int64(first), start < size else { return nil }
        if last.isEmpty { return start...(size - 1) }
        guard let end = Int64(last), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}
