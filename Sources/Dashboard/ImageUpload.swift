import Foundation
import HTTPSupport
import Hummingbird
import Logging
import ServiceClients

/// Image upload: the page's script sends the file as the body of `POST …/images/upload?name=…&disk_format=…&csrf=…`
/// (showing the upload's progress); the dashboard creates the image and passes the body on to the image API as it
/// arrives, never holding the file. An upload that fails deletes the image it created.
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
        guard let session = session(of: request) else { return Self.text("Your session has expired. Log in again.", status: .unauthorized) }
        let query = request.uri.queryParameters
        guard let csrf = query["csrf"], Self.constantTimeEqual(String(csrf), session.csrf) else {
            return Self.text("The form was stale or not sent by this dashboard. Reload the page and try again.", status: .forbidden)
        }
        guard let name = query["name"].map(String.init)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return Self.text("Give the image a name.", status: .badRequest)
        }
        let format = query["disk_format"].map(String.init) ?? "qcow2"
        guard Self.diskFormats.contains(format) else { return Self.text("'\(format)' is not a disk format.", status: .badRequest) }
        guard let length = request.headers[.contentLength].flatMap(Int.init), length > 0 else {
            return Self.text("Choose a file to upload.", status: .badRequest)
        }
        do {
            let created = try await api.call("POST", "/image/v2/images", token: session.token, body: [
                "name": name, "disk_format": format, "container_format": "bare", "visibility": "private",
            ])
            guard created.isSuccess, let id = created.body["id"] as? String else { return Self.text(created.faultMessage, status: .badRequest) }
            let upload = try await api.upload.send(
                "PUT", api.baseURL() + "/image/v2/images/\(Self.segment(id))/file",
                headers: [("X-Auth-Token", session.token), ("Content-Type", "application/octet-stream")], length: length, streaming: request.body
            )
            guard (200..<300).contains(upload.status) else {
                _ = try? await api.call("DELETE", "/image/v2/images/\(Self.segment(id))", token: session.token)
                let reply = DashboardAPI.Reply(
                    status: upload.status, body: (try? JSONSerialization.jsonObject(with: Data(upload.body))) as? [String: Any] ?? [:], subjectToken: nil
                )
                return Self.text(reply.faultMessage, status: .badRequest)
            }
            sessions.notify(session.id, "Image \(name) uploaded.")
            return Self.text("Image \(name) uploaded.", status: .ok)
        } catch {
            logger.warning("dashboard: image upload failed: \(error)")
            return Self.text("The upload did not complete; try again.", status: .serviceUnavailable)
        }
    }
}
