import Foundation
public import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 client for one service calling another's API (nova calling neutron, glance), one connection
/// per request. Bodies are JSON-sized: a response larger than `maxBodySize` is refused.
public struct ServiceHTTPClient: Sendable {
    public struct Response: Sendable {
        public let status: Int
        public let headers: [(name: String, value: String)]
        public let body: [UInt8]

        public func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case invalidURL(String)
        case timedOut(String)
        case incompleteResponse(String)
        case bodyTooLarge(String)

        public var description: String {
            switch self {
            case .invalidURL(let url): "not an http URL: \(url)"
            case .timedOut(let url): "no response in time from \(url)"
            case .incompleteResponse(let url): "the connection to \(url) closed before the response ended"
            case .bodyTooLarge(let url): "the response from \(url) is too large"
            }
        }
    }

    let timeout: Duration
    let maxBodySize: Int

    public init(timeout: Duration = .seconds(60), maxBodySize: Int = 16 << 20) {
        self.timeout = timeout
        self.maxBodySize = maxBodySize
    }

    /// Sends one request and reads the whole response; `url` is absolute (`http://127.0.0.1:8780/networking/v2.0/ports`).
    public func send(_ method: String, _ url: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Response {
        try await send(method, url, headers: headers, length: body?.count ?? 0) { outbound in
            if let body, !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
        }
    }

    /// Sends one request whose body of `length` bytes comes from `body` as it arrives (an upload passed on), and reads
    /// the whole response.
    public func send<Body: AsyncSequence & Sendable>(
        _ method: String, _ url: String, headers: [(String, String)] = [], length: Int, streaming body: Body
    ) async throws -> Response where Body.Element == ByteBuffer {
        try await send(method, url, headers: headers, length: length) { outbound in
            for try await chunk in body { try await outbound.write(.body(.byteBuffer(chunk))) }
        }
    }

    private func send(
        _ method: String, _ url: String, headers: [(String, String)], length: Int,
        writeBody: @escaping @Sendable (NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) async throws -> Void
    ) async throws -> Response {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host else {
            throw Failure.invalidURL(url)
        }
        let port = components.port ?? 80
        let path = (components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath)
            + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
        return try await withThrowingTaskGroup(of: Response.self) { group in
            group.addTask {
                try await exchange(host: host, port: port, method: method, path: path, url: url, headers: headers, length: length, writeBody: writeBody)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw Failure.timedOut(url)
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }

    private func exchange(
        host: String, port: Int, method: String, path: String, url: String, headers: [(String, String)], length: Int,
        writeBody: @Sendable (NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>) async throws -> Void
    ) async throws -> Response {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
            head.headers.add(name: "Host", value: "\(host):\(port)")
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            head.headers.add(name: "Content-Length", value: String(length))
            try await outbound.write(.head(head))
            try await writeBody(outbound)
            try await outbound.write(.end(nil))
            var status = 0
            var responseHeaders: [(name: String, value: String)] = []
            var data = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let response):
                    status = Int(response.status.code)
                    responseHeaders = response.headers.map { ($0.name, $0.value) }
                case .body(var chunk):
                    guard data.readableBytes + chunk.readableBytes <= maxBodySize else { throw Failure.bodyTooLarge(url) }
                    data.writeBuffer(&chunk)
                case .end:
                    return Response(status: status, headers: responseHeaders, body: Array(data.readableBytesView))
                }
            }
            throw Failure.incompleteResponse(url)
        }
    }
}
