import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// noVNC's client files, served from where Debian's `novnc` package puts them, so a console URL works with nothing
/// else installed. They are found at run time, never shipped with Stratus.
struct NoVNCPages: Sendable {
    /// `/usr/share/novnc`: `vnc_lite.html`, `vnc.html`, `core/`, `app/`, `vendor/`.
    let directory: String

    static let mediaTypes: [String: String] = [
        "html": "text/html; charset=utf-8", "js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8",
        "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon", "json": "application/json", "ogg": "audio/ogg",
        "mp3": "audio/mpeg", "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf",
    ]

    /// The file at `segments` under the directory, or an error page.
    func file(_ segments: [Substring]) -> Response {
        guard FileManager.default.fileExists(atPath: directory + "/vnc_lite.html") else {
            return Self.page(
                .serviceUnavailable, title: "noVNC is not installed",
                text: "The console proxy serves noVNC from \(directory), which has no noVNC. Install Debian's novnc package (apt-get install novnc)."
            )
        }
        // Only plain names: no hidden files, no way out of the directory.
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix(".") && !$0.contains("\\") }) else {
            return Self.page(.notFound, title: "Not found", text: "There is no such noVNC file.")
        }
        let path = directory + "/" + segments.joined(separator: "/")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: path)
        else {
            return Self.page(.notFound, title: "Not found", text: "There is no such noVNC file.")
        }
        let type = Self.mediaTypes[String(segments.last!.split(separator: ".").last ?? "")] ?? "application/octet-stream"
        return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A small HTML page saying what went wrong.
    static func page(_ status: HTTPResponse.Status, title: String, text: String) -> Response {
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>\(escape(title))</title></head>
            <body><h1>\(escape(title))</h1><p>\(escape(text))</p></body></html>

            """
        return Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
