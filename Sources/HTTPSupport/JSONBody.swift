import Foundation
public import Hummingbird
import ServiceClients
import StratusCore

extension Request {
    /// Decodes the JSON body as `T`, up to the context's size limit.
    ///
    /// Too large: 413. Not JSON, or a field missing or of the wrong type: 400 naming the field.
    public mutating func decodeJSON<T: Decodable>(_ type: T.Type, context: StratusRequestContext) async throws -> T {
        if let length = headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw StratusError.payloadTooLarge("Request is too large. The limit is \(context.maxUploadSize) bytes.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await collectBody(upTo: context.maxUploadSize)
        } catch is any HTTPResponseError {
            throw StratusError.payloadTooLarge("Request is too large. The limit is \(context.maxUploadSize) bytes.")
        }
        guard buffer.readableBytes > 0 else {
            throw StratusError.badRequest("The request body is empty; a JSON object was expected.")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw StratusError.badRequest(Self.describe(error))
        } catch let error as StratusError {
            throw error
        } catch {
            throw StratusError.badRequest("The request body is not valid JSON.")
        }
    }

    /// A message naming the field, as Keystone's and Nova's schema validation do.
    static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let context):
            let parent = path(context.codingPath)
            return "Invalid input for field '\(parent.isEmpty ? key.stringValue : parent)': '\(key.stringValue)' is a required property."
        case .typeMismatch(let type, let context):
            return "Invalid input for field '\(path(context.codingPath))': expected \(Self.jsonName(type))."
        case .valueNotFound(let type, let context):
            return "Invalid input for field '\(path(context.codingPath))': null is not of type \(Self.jsonName(type))."
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "The request body is not valid JSON." }
            return "Invalid input for field '\(path(context.codingPath))': \(context.debugDescription)"
        @unknown default:
            return "The request body is not valid."
        }
    }

    private static func jsonName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "'string'"
        case is Bool.Type: "'boolean'"
        case is Int.Type, is Int64.Type, is Double.Type: "'number'"
        case is [Any].Type: "'array'"
        default: "'object'"
        }
    }
}
