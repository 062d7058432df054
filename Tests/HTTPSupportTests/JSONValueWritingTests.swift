import Foundation
import HTTPSupport
import NIOCore
import ServiceClients
import Testing

/// `JSONValue.write(to:)` must produce exactly what `JSONResponse`'s `JSONEncoder` (sorted keys, unescaped slashes) does.
@Suite("JSONValue writing")
struct JSONValueWritingTests {
    static let samples: [JSONValue] = [
        .null, .bool(true), .bool(false), .number(0), .number(-3), .number(262_144), .number(0.5), .number(-1.25), .number(1e300),
        .number(0.1), .number(123_456_789_012), .string(""), .string("plain"), .string("a \"quoted\" \\ back/slash"),
        .string("tab\there\nnew line\r\u{08}\u{0C}\u{01}\u{1F}"), .string("ünïcödé ☁️ 雲"), .array([]), .object([:]),
        .object([
            "b": .number(1), "A": .number(2), "a": .number(3), "B": .number(4), "a10": .number(5), "a9": .number(6), "_x": .null,
            "OS-EXT-STS:vm_state": .string("active"), "accessIPv4": .string(""), "os-extended-volumes:volumes_attached": .array([]),
            "nested": .array([.object(["z": .bool(true), "y": .array([.number(1), .string("two")])])]),
        ]),
    ]

    @Test(arguments: samples)
    func writesWhatTheEncoderWrites(value: JSONValue) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var buffer = ByteBuffer()
        try value.write(to: &buffer)
        #expect(String(buffer: buffer) == String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    @Test func refusesNumbersJSONCannotCarry() {
        var buffer = ByteBuffer()
        #expect(throws: JSONValue.NotRepresentable.self) { try JSONValue.number(.nan).write(to: &buffer) }
        #expect(throws: JSONValue.NotRepresentable.self) { try JSONValue.array([.number(.infinity)]).write(to: &buffer) }
    }
}
