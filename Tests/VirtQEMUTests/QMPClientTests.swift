import Testing
@testable import VirtQEMU

@Suite("QMP client against a fake QEMU")
struct QMPClientTests {
    /// The fake QEMU answers at once; the limit only has to outlast a machine so busy (the whole suite starts at once on
    /// two cores) that the fake's task waits seconds for a thread. CI once took more than QMP's default 10 s.
    static let patience = Duration.seconds(120)

    @Test func handshakeThenRepliesMatchedByIdWithEventsInBetween() async throws {
        try await withFakeQEMU { peer throws in
            try await peer.handshake()
            let status = try await peer.expect("query-status")
            let name = try await peer.expect("query-name")
            #expect(name.arguments == nil)
            // Answers in the other order, an event split across two writes in between.
            try await peer.send(#"{"return": {"name": "inst1"}, "id": \#(name.id)}"#)
            try await peer.sendRaw(#"{"timestamp": {"seconds": 1, "microseconds": 2}, "#)
            try await peer.send(#""event": "STOP"}"#)
            try await peer.send(#"{"return": {"status": "paused", "running": false}, "id": \#(status.id)}"#)
            let hotplug = try await peer.expect("device_del")
            #expect(hotplug.arguments == ["id": "virtio-disk1"])
            try await peer.sendEvent("DEVICE_DELETED", data: #"{"path": "/machine/peripheral/virtio-disk1/virtio-backend"}"#)
            try await peer.send(#"{"return": {}, "id": \#(hotplug.id)}"#)
            try await peer.sendEvent("DEVICE_DELETED", data: #"{"device": "virtio-disk1", "path": "/machine/peripheral/virtio-disk1"}"#)
            #expect(try await peer.nextRequest() == nil)
        } client: { path throws in
            try await QMPClient.withConnection(socketPath: path, timeLimit: Self.patience) { qmp throws in
                #expect(qmp.greeting.version == "7.2.22")
                async let status = qmp.execute("query-status")
                async let name = qmp.execute("query-name")
                #expect(try await status["status"] == "paused")
                #expect(try await name == ["name": "inst1"])
                #expect(try await qmp.nextEvent(named: "STOP", timeLimit: .seconds(10)) == QMPEvent(name: "STOP"))
                #expect(try await qmp.execute("device_del", arguments: ["id": "virtio-disk1"]) == [:])
                let deleted = try await qmp.nextEvent(named: "DEVICE_DELETED", timeLimit: .seconds(10))
                #expect(deleted.data["device"] == nil, "events come in order, the backend's first")
                #expect(try await qmp.nextEvent(named: "DEVICE_DELETED", timeLimit: .seconds(10)).data["device"] == "virtio-disk1")
            }
        }
    }

    @Test func anErrorReplyIsATypedErrorAndTheConnectionGoesOn() async throws {
        try await withFakeQEMU { peer throws in
            try await peer.handshake()
            let bad = try await peer.expect("nosuch")
            try await peer.send(#"{"error": {"class": "CommandNotFound", "desc": "The command nosuch has not been found"}, "id": \#(bad.id)}"#)
            let good = try await peer.expect("query-status")
            try await peer.send(#"{"return": {"status": "running", "running": true}, "id": \#(good.id)}"#)
            #expect(try await peer.nextRequest() == nil)
        } client: { path throws in
            try await QMPClient.withConnection(socketPath: path, timeLimit: Self.patience) { qmp throws in
                await #expect(
                    throws: QMPError.commandFailed(
                        command: "nosuch", errorClass: "CommandNotFound", description: "The command nosuch has not been found"
                    )
                ) {
                    try await qmp.execute("nosuch")
                }
                #expect(try await qmp.execute("query-status")["running"] == true)
            }
        }
    }

    @Test func aCallPastItsTimeLimitFailsAndALateReplyIsDropped() async throws {
        try await withFakeQEMU { peer throws in
            try await peer.handshake()
            let slow = try await peer.expect("query-status")
            let next = try await peer.expect("query-name")
            try await peer.send(#"{"return": {"status": "running"}, "id": \#(slow.id)}"#)
            try await peer.send(#"{"return": {"name": "inst1"}, "id": \#(next.id)}"#)
            #expect(try await peer.nextRequest() == nil)
        } client: { path throws in
            try await QMPClient.withConnection(socketPath: path, timeLimit: Self.patience) { qmp throws in
                await #expect(throws: QMPError.timedOut(command: "query-status", limit: .milliseconds(200))) {
                    try await qmp.execute("query-status", timeLimit: .milliseconds(200))
                }
                #expect(try await qmp.execute("query-name") == ["name": "inst1"])
                await #expect(throws: QMPError.timedOut(command: "event RESET", limit: .milliseconds(100))) {
                    try await qmp.nextEvent(named: "RESET", timeLimit: .milliseconds(100))
                }
            }
        }
    }

    @Test func noGreetingWithinTheTimeLimit() async throws {
        try await withFakeQEMU { peer throws in
            #expect(try await peer.nextRequest() == nil)
        } client: { path throws in
            await #expect(throws: QMPError.timedOut(command: "greeting", limit: .milliseconds(300))) {
                try await QMPClient.withConnection(socketPath: path, timeLimit: .milliseconds(300)) { _ in }
            }
        }
    }

    @Test func theSocketClosingFailsThePendingCallAndEndsTheEvents() async throws {
        try await withFakeQEMU { peer throws in
            try await peer.handshake()
            try await peer.expect("quit")
            try await peer.sendEvent("SHUTDOWN", data: #"{"guest": false, "reason": "host-qmp-quit"}"#)
            // QEMU quits before answering.
        } client: { path throws in
            try await QMPClient.withConnection(socketPath: path, timeLimit: Self.patience) { qmp throws in
                await #expect(throws: QMPError.connectionClosed) { try await qmp.execute("quit") }
                var names: [String] = []
                for await event in qmp.events { names.append(event.name) }
                #expect(names == ["SHUTDOWN"])
                await #expect(throws: QMPError.connectionClosed) { try await qmp.execute("query-status") }
                await #expect(throws: QMPError.connectionClosed) { try await qmp.nextEvent(named: "RESET", timeLimit: .seconds(10)) }
            }
        }
    }

    @Test func aLineThatIsNotQMPEndsTheConnection() async throws {
        try await withFakeQEMU { peer throws in
            try await peer.handshake()
            try await peer.expect("query-status")
            try await peer.send("this is not JSON")
            #expect(try await peer.nextRequest() == nil)
        } client: { path throws in
            try await QMPClient.withConnection(socketPath: path, timeLimit: Self.patience) { qmp throws -> Void in
                await #expect(throws: QMPError.protocolViolation("not JSON: this is not JSON")) {
                    try await qmp.execute("query-status")
                }
            }
        }
    }

    /// The longest path a guest's socket may have (the driver's limit, Linux's), past NIO's own 103 bytes.
    @Test func connectsToASocketPathOfTheLongestLength() async throws {
        try await withFakeQEMU(pathLength: InstanceFiles.maximumSocketPath) { peer throws in
            try await peer.handshake()
            let status = try await peer.expect("query-status")
            try await peer.send(#"{"return": {"status": "running", "running": true}, "id": \#(status.id)}"#)
        } client: { path throws in
            #expect(path.utf8.count == 107)
            try await QMPClient.withConnection(socketPath: path, timeLimit: Self.patience) { qmp throws in
                #expect(try await qmp.execute("query-status")["status"] == "running")
            }
        }
        await #expect(throws: QMPError.self) { try await QMPClient.withConnection(socketPath: "/" + String(repeating: "x", count: 107)) { _ in } }
    }

    @Test func noSocketNoConnection() async throws {
        await #expect {
            try await QMPClient.withConnection(socketPath: "/nonexistent/qmp.sock") { _ in }
        } throws: { error in
            guard case QMPError.cannotConnect(let path, _) = error else { return false }
            return path == "/nonexistent/qmp.sock"
        }
    }
}
