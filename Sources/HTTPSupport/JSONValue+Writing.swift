public import NIOCore

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
            for (index, key) in fields.keys.sorted().enumerated() {
                if index > 0 { buffer.writeInteger(UInt8(ascii: ",")) }
                Self.write(key, to: &buffer)
                buffer.writeInteger(UInt8(ascii: ":"))
                try fields[key, default: .null].write(to: &buffer)
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

    /// A JSON string: quotes, backslashes and control characters escaped, everything else as UTF-8.
    private static func write(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var pending = text.utf8.startIndex
        let utf8 = text.utf8
        var index = pending
        while index != utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 {
                buffer.writeBytes(utf8[pending..<index])
                writeEscaped(byte, to: &buffer)
                pending = utf8.index(after: index)
            }
            index = utf8.index(after: index)
        }
        buffer.writeBytes(utf8[pending..<utf8.endIndex])
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
