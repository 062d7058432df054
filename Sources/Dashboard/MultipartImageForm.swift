import Foundation
import Hummingbird
import NIOCore

/// The image form as a browser posts it with JavaScript off (`multipart/form-data`, the file its last part): the fields
/// before the file are read, then `file` passes the file's bytes on as they arrive (never holding the file), and what
/// follows them must be the closing boundary alone.
struct MultipartImageForm {
    var fields: [String: String]
    var file: FileBytes

    enum Failure: Error {
        case malformed(String)
    }

    /// The most the fields before the file may take.
    static let preambleLimit = 64 * 1024

    /// The boundary of a `multipart/form-data` content type; nil for any other.
    static func boundary(of contentType: String?) -> String? {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let parts = parameter.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "boundary" {
                let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\""))
                return value.isEmpty || value.count > 200 ? nil : value
            }
        }
        return nil
    }

    static func read(_ body: RequestBody, boundary: String, contentLength: Int) async throws -> MultipartImageForm {
        let delimiter = Array("--\(boundary)".utf8), crlf = Array("\r\n".utf8), blank = Array("\r\n\r\n".utf8)
        var iterator = body.makeAsyncIterator()
        var bytes: [UInt8] = []
        var fields: [String: String] = [:]
        var position = 0
        func more() async throws {
            guard bytes.count < preambleLimit, let chunk = try await iterator.next() else {
                throw Failure.malformed("The form's fields before the file are missing or too long.")
            }
            bytes += chunk.readableBytesView
        }
        // Each part: the delimiter, CRLF, headers, a blank line, its content, CRLF; the file is the last part.
        while true {
            while bytes.count < position + delimiter.count + 2 { try await more() }
            guard Array(bytes[position..<position + delimiter.count]) == delimiter,
                  Array(bytes[position + delimiter.count..<position + delimiter.count + 2]) == crlf else {
                throw Failure.malformed("Choose a file to upload.")
            }
            let headersStart = position + delimiter.count + 2
            var headersEnd: Int?
            while true {
                headersEnd = Self.find(blank, in: bytes, from: headersStart)
                if headersEnd != nil { break }
                try await more()
            }
            let headers = String(decoding: bytes[headersStart..<headersEnd!], as: UTF8.self)
            let contentStart = headersEnd! + blank.count
            guard let name = Self.parameter("name", in: headers) else { throw Failure.malformed("A part of the form has no name.") }
            if name == "file" {
                guard Self.parameter("filename", in: headers) != nil else { throw Failure.malformed("Choose a file to upload.") }
                let trailer = crlf + delimiter + Array("--\r\n".utf8)
                let length = contentLength - contentStart - trailer.count
                guard length > 0 else { throw Failure.malformed("Choose a file to upload (this one is empty).") }
                let file = FileBytes(iterator: iterator, first: Array(bytes[contentStart...]), length: length, trailer: trailer)
                return MultipartImageForm(fields: fields, file: file)
            }
            var contentEnd: Int?
            while true {
                contentEnd = Self.find(crlf + delimiter, in: bytes, from: contentStart)
                if contentEnd != nil { break }
                try await more()
            }
            fields[name] = String(decoding: bytes[contentStart..<contentEnd!], as: UTF8.self)
            position = contentEnd! + crlf.count
        }
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= pattern.count, start <= bytes.count - pattern.count else { return nil }
        return (start...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }

    /// `name="value"` of a part's `Content-Disposition`.
    static func parameter(_ key: String, in headers: String) -> String? {
        guard let range = headers.range(of: " \(key)=\"") ?? headers.range(of: ";\(key)=\"") else { return nil }
        let rest = headers[range.upperBound...]
        return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
    }
}

/// The file's bytes of a multipart form, `length` of them, as the browser sends them. One task reads it at a time: the
/// handler reads the fields, then the upload passes the file on (hence `@unchecked Sendable`).
final class FileBytes: AsyncSequence, @unchecked Sendable {
    typealias Element = ByteBuffer
    private var iterator: RequestBody.AsyncIterator
    private var first: [UInt8]?
    private var remaining: Int
    private let trailer: [UInt8]
    private var tail: [UInt8] = []
    let length: Int

    init(iterator: RequestBody.AsyncIterator, first: [UInt8], length: Int, trailer: [UInt8]) {
        self.iterator = iterator
        self.first = first
        self.length = length
        remaining = length
        self.trailer = trailer
    }

    /// Whether the body ended with the closing boundary right after the file (read once the file was passed on).
    var isComplete: Bool { remaining == 0 && tail == trailer }

    struct Iterator: AsyncIteratorProtocol {
        let bytes: FileBytes
        func next() async throws -> ByteBuffer? { try await bytes.next() }
    }

    func makeAsyncIterator() -> Iterator { Iterator(bytes: self) }

    private func next() async throws -> ByteBuffer? {
        while remaining > 0 {
            let chunk: [UInt8]
            if let first {
                chunk = first
                self.first = nil
            } else {
                guard let next = try await iterator.next() else { throw MultipartImageForm.Failure.malformed("The upload stopped before the file's end.") }
                chunk = Array(next.readableBytesView)
            }
            let taken = Swift.min(remaining, chunk.count)
            remaining -= taken
            tail += chunk[taken...]
            if taken > 0 { return ByteBuffer(bytes: chunk[..<taken]) }
        }
        // The file is passed on: what is left is the closing boundary (a little more is enough to tell it is not).
        while tail.count <= trailer.count, let next = try await iterator.next() { tail += next.readableBytesView }
        return nil
    }
}
