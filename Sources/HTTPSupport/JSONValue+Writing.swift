public import NIOCore
public import ServiceClients

extension JSONValue {
    /// Thrown for a number JSON cannot carry (NaN, infinity), as `JSONEncoder` refuses them.
    public struct NotRepresentable: Error, CustomStringConvertible {
        public let number: Double
        public var description: String { "\(number) cannot be written as JSON" }
    }

    /// Writes the value as compact JSON with sorted keys and unescaped slashes, as `JSONResponse`'s encoder does, but
    /// straight into `buffer`: no `Encoder` containers, which cost more than the rest of a large list response.
    public func write(to buffer: inout ByteBuffer) throws {
        switch self {
        case .null: buffer.writeStaticString("null")
        case .bool(let flag): buffer.writeStaticString(flag ? "true" : "false")
        case .number(let number): try Self.write(number, to: &buffer)
        case .string(let text): Self.write(text, to: &buffer)
        case .array(let items):
            buffer.writeInteger(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                try item.write(to: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "]"))
        case .object(let fields):
            buffer.writeInteger(UInt8(ascii: "{"))
            for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                Self.write(field.key, to: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                try field.value.write(to: &buffer)
            }
            buffer.writeInteger(UInt8(ascii: "}"))
        }
    }

    /// Whole numbers without a fraction (`5`, not `5.0`), others in Swift's shortest form.
    private static func write(_ number: Double, to buffer: inout ByteBuffer) throws {
        guard number.isFinite else { throw NotRepresentable(number: number) }
        if number.rounded() == number, abs(number) < 0x1p53 {
            buffer.writeString(String(Int64(number)))
        } else {
            buffer.writeString(number.description)
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8. Scans the
    /// string's own UTF-8 bytes and copies the runs between escapes whole.
    private static func write(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var pending = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 else { continue }
                buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[pending..<index]))
                writeEscaped(byte, to: &buffer)
                pending = index + 1
            }
            buffer.writeBytes(UnsafeBufferPointer(rebasing: bytes[pending...]))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private static func writeEscaped(_ byte: UInt8, to buffer: inout ByteBuffer) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
        case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
        case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x0C: buffer.writeStaticString("\\f")
        default:
            let digits: StaticString = "0123456789abcdef"
            buffer.writeStaticString("\\u00")
            buffer.writeInteger(digits.utf8Start[Int(byte >> 4)])
            buffer.writeInteger(digits.utf8Start[Int(byte & 0x0F)])
        }
    }
}
