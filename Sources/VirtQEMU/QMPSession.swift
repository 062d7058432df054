internal import Foundation
import NIOCore

/// The state of one QMP connection: answers awaited (the greeting, replies by `id`), the event stream,
/// and why the connection ended. `read(_:)` is its only reader; calls wait for their answer with a time limit.
actor QMPSession {
    /// What a caller waits for.
    enum Awaited: Hashable {
        case greeting
        case reply(id: Int)
    }

    /// An awaited answer: nobody waiting yet, a waiter, or an answer that came before its waiter.
    private enum Slot {
        case waiting(CheckedContinuation<QMPMessage, any Error>?)
        case arrived(Result<QMPMessage, QMPError>)
    }

    private var slots: [Awaited: Slot] = [.greeting: .waiting(nil)]
    private var nextID = 1
    private var closedBy: QMPError?
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    nonisolated let events: AsyncStream<QMPEvent>
    private let eventSink: AsyncStream<QMPEvent>.Continuation

    init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.outbound = outbound
        (events, eventSink) = AsyncStream.makeStream(of: QMPEvent.self)
    }

    /// Reads every line until the socket closes (or a line is not QMP), then fails whatever is still awaited.
    func read(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async {
        var reason = QMPError.connectionClosed
        do {
            for try await line in inbound {
                receive(try QMPMessage(parsing: line.readableBytesView))
            }
        } catch let error as QMPError {
            reason = error
        } catch {
            // The socket failed: the same as closed.
        }
        closedBy = reason
        for key in slots.keys { complete(key, with: .failure(reason)) }
        eventSink.finish()
    }

    /// The greeting QEMU sends when the connection opens.
    func greeting(timeLimit: Duration) async throws -> QMPGreeting {
        guard case .greeting(let greeting) = try await call(.greeting, frame: nil, command: "greeting", timeLimit: timeLimit) else {
            throw QMPError.protocolViolation("expected the greeting")
        }
        return greeting
    }

    /// Sends `command` and returns its `return` value, or throws its `error` as `QMPError.commandFailed`.
    func execute(_ command: String, arguments: [String: QMPValue]?, timeLimit: Duration) async throws -> QMPValue {
        let id = nextID
        nextID += 1
        var request: [String: QMPValue] = ["execute": .string(command), "id": .int(id)]
        if let arguments { request["arguments"] = .object(arguments) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes, .sortedKeys]
        var frame = ByteBuffer(bytes: try encoder.encode(QMPValue.object(request)))
        frame.writeInteger(UInt8(ascii: "\n"))
        guard case .reply(_, let result) = try await call(.reply(id: id), frame: frame, command: command, timeLimit: timeLimit) else {
            throw QMPError.protocolViolation("expected a reply to \(command)")
        }
        switch result {
        case .success(let value): return value
        case .failure(let error):
            throw QMPError.commandFailed(command: command, errorClass: error.errorClass, description: error.description)
        }
    }

    /// Writes `frame` (if any) and waits for the answer `key`, for at most `timeLimit`.
    private func call(_ key: Awaited, frame: ByteBuffer?, command: String, timeLimit: Duration) async throws -> QMPMessage {
        if let closedBy { throw closedBy }
        if slots[key] == nil { slots[key] = .waiting(nil) }
        do {
            return try await withThrowingTaskGroup(of: QMPMessage.self) { group in
                group.addTask {
                    if let frame { try await self.outbound.write(frame) }
                    return try await self.answer(key)
                }
                group.addTask {
                    try await Task.sleep(for: timeLimit)
                    let timedOut = QMPError.timedOut(command: command, limit: timeLimit)
                    await self.complete(key, with: .failure(timedOut))
                    throw timedOut
                }
                defer { group.cancelAll() }
                guard let message = try await group.next() else { throw QMPError.connectionClosed }
                return message
            }
        } catch {
            slots[key] = nil
            throw (error as? QMPError) ?? closedBy ?? .connectionClosed
        }
    }

    /// The answer for `key`: at once when it came already, else when it comes.
    private func answer(_ key: Awaited) async throws -> QMPMessage {
        if case .arrived(let result)? = slots[key] {
            slots[key] = nil
            return try result.get()
        }
        return try await withCheckedThrowingContinuation { continuation in
            slots[key] = .waiting(continuation)
        }
    }

    /// Hands `result` to the waiter of `key`; an answer nobody awaits (any more) is dropped.
    private func complete(_ key: Awaited, with result: Result<QMPMessage, QMPError>) {
        switch slots[key] {
        case .waiting(let continuation?):
            slots[key] = nil
            continuation.resume(with: result)
        case .waiting(nil):
            slots[key] = .arrived(result)
        case .arrived, nil:
            break
        }
    }

    private func receive(_ message: QMPMessage) {
        switch message {
        case .greeting:
            complete(.greeting, with: .success(message))
        case .reply(let id?, _):
            complete(.reply(id: id), with: .success(message))
        case .reply(nil, _):
            // QEMU answers without an id only what it could not parse; Stratus sends nothing like that.
            break
        case .event(let event):
            eventSink.yield(event)
        }
    }
}
