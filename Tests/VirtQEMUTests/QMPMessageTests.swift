import Testing
@testable import VirtQEMU

@Suite("QMP message parsing")
struct QMPMessageTests {
    private func parse(_ text: String) throws -> QMPMessage {
        try QMPMessage(parsing: Array(text.utf8))
    }

    @Test func greeting() throws {
        let message = try parse(FakeQEMUPeer.greeting)
        #expect(
            message
                == .greeting(QMPGreeting(version: "7.2.22", package: "Debian 1:7.2+dfsg-7+deb12u18+b3", capabilities: ["oob"]))
        )
    }

    @Test func eventsWithAndWithoutData() throws {
        let shutdown = try parse(
            #"{"timestamp": {"seconds": 1795826142, "microseconds": 447126}, "event": "SHUTDOWN", "#
                + #""data": {"guest": true, "reason": "guest-shutdown"}}"#
        )
        #expect(shutdown == .event(QMPEvent(name: "SHUTDOWN", data: ["guest": true, "reason": "guest-shutdown"])))
        #expect(try parse(#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "STOP"}"#) == .event(QMPEvent(name: "STOP")))
    }

    @Test func repliesAndErrors() throws {
        #expect(
            try parse(#"{"return": {"status": "running", "running": true}, "id": 7}"#)
                == .reply(id: 7, .success(["status": "running", "running": true]))
        )
        #expect(
            try parse(#"{"error": {"class": "GenericError", "desc": "JSON parse error"}}"#)
                == .reply(id: nil, .failure(.init(errorClass: "GenericError", description: "JSON parse error")))
        )
    }

    @Test(arguments: ["not json", "[1, 2]", #"{"hello": 1}"#])
    func anythingElseIsAProtocolViolation(_ text: String) {
        #expect(throws: QMPError.self) { try parse(text) }
    }
}
