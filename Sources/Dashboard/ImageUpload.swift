import Foundation
import HTTPSupport
import Hummingbird
import Logging
import ServiceClients

/// Image upload, either way the images page's form comes: its script sends the file as the body of
/// `POST …/images/upload?name=…&disk_format=…&csrf=…` (showing the upload's progress, and answered with plain text),
/// or, with JavaScript off, the browser posts the form as `multipart/form-data` (answered with the images page). The
/// dashboard creates the image and passes the file on to the image API as it arrives, never holding it. An upload
/// that fails deletes the image it created.
extension Dashboard {
    static let diskFormats = ["qcow2", "raw", "iso", "vmdk", "vdi", "vhd", "vhdx", "ami", "ari", "aki"]

    func addImageUploadRoute(to group: RouterGroup<StratusRequestContext>) {
        group.post("project/images/upload") { request, _ in await uploadImage(request) }
    }

    /// A plain-text answer for the script (which shows it and then opens the images page).
    private static func text(_ message: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    func uploadImage(_ request: Request) async -> Response {
        guard let session = (try? await session(of: request)) ?? nil else { return Self.text("Your session has expired. Log in again.", status: .unauthorized) }
        let length = request.headers[.contentLength].flatMap(Int.init) ?? 0
        guard let boundary = MultipartImageForm.boundary(of: request.headers[.contentType]) else {
            let query = request.uri.queryParameters
            let fields = ["csrf", "name", "disk_format"].reduce(into: [String: String]()) { fields, key in fields[key] = query[Substring(key)].map(String.init) }
            let (status, message) = await upload(session, fields: fields, length: length, body: request.body) { true }
            return Self.text(message, status: status)
        }
        let status: HTTPResponse.Status, message: String
        do {
            let form = try await MultipartImageForm.read(request.body, boundary: boundary, contentLength: length)
            (status, message) = await upload(session, fields: form.fields, length: form.file.length, body: form.file) { form.file.isComplete }
        } catch MultipartImageForm.Failure.malformed(let text) {
            (status, message) = (.badRequest, text)
        } catch {
            (status, message) = (.badRequest, "The upload did not complete; try again.")
        }
        guard status != .forbidden else {
            return await errorPage(session, status: .forbidden, title: "Form refused", text: message)
        }
        if status != .ok { try? await sessions.notify(session.id, message, isError: true) }
        return Self.redirect("/dashboard/project/images")
    }

    /// Creates the image the fields describe and passes `body` (`length` bytes) on as its data; `isComplete` says,
    /// once it is passed on, whether the browser sent it whole. The answer's status and message.
    private func upload<Body: AsyncSequence & Sendable>(
        _ session: DashboardSession, fields: [String: String], length: Int, body: Body, isComplete: () -> Bool
    ) async -> (HTTPResponse.Status, String) where Body.Element == ByteBuffer {
        guard let csrf = fields["csrf"], Self.constantTimeEqual(csrf, session.csrf) else {
            return (.forbidden, "The form was stale or not sent by this dashboard. Reload the page and try again.")
        }
        guard let name = fields["name"]?.trimmingCharacters(in: .whitespacesAndNewlines), !name.isEmpty else { return (.badRequest, "Give the image a name.") }
        let format = fields["disk_format"] ?? "qcow2"
        guard Self.diskFormats.contains(format) else { return (.badRequest, "'\(format)' is not a disk format.") }
        guard length > 0 else { return (.badRequest, "Choose a file to upload.") }
        var created: String?
        do {
            let image = try await api.call("POST", "/image/v2/images", token: session.token, body: [
                "name": name, "disk_format": format, "container_format": "bare", "visibility": "private",
            ])
            guard image.isSuccess, let id = image.body["id"] as? String else { return (.badRequest, image.faultMessage) }
            created = id
            let upload = try await api.upload.send(
                "PUT", api.baseURL() + "/image/v2/images/\(Self.segment(id))/file",
                headers: [("X-Auth-Token", session.token), ("Content-Type", "application/octet-stream")], length: length, streaming: body
            )
            guard (200..<300).contains(upload.status) else {
                let reply = DashboardAPI.Reply(
                    status: upload.status, body: (try? JSONSerialization.jsonObject(with: Data(upload.body))) as? [String: Any] ?? [:], subjectToken: nil
                )
                throw DashboardError.api(upload.status, reply.faultMessage)
            }
            guard isComplete() else { throw MultipartImageForm.Failure.malformed("The form did not end after the file.") }
            try await sessions.notify(session.id, "Image \(name) uploaded.")
            return (.ok, "Image \(name) uploaded.")
        } catch {
            if let created { _ = try? await api.call("DELETE", "/image/v2/images/\(Self.segment(created))", token: session.token) }
            switch error {
            case DashboardError.api(_, let message), MultipartImageForm.Failure.malformed(let message): return (.badRequest, message)
            default:
                logger.warning("dashboard: image upload failed: \(error)")
                return (.serviceUnavailable, "The upload did not complete; try again.")
            }
        }
    }
}
