import Foundation
import HTTPTypes
import StratusTesting
import Testing

@Suite("Image data upload and download")
struct ImageDataTests {
    /// 40 000 bytes: more than one 32 KiB request chunk.
    static let data = payload(40_000)

    @Test("upload makes the image active with size, md5 checksum and sha512 hash; download returns the same bytes")
    func uploadAndDownload() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let upload = try await client.upload(id, Self.data, token: actors.alice)
            #expect(upload.status == 204, "\(upload.summary)")
            #expect(upload.bytes.isEmpty)

            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("status") as? String == "active")
            #expect(image.value("size") as? Int == Self.data.count)
            #expect(image.value("checksum") as? String == md5Hex(Self.data))
            #expect(image.value("os_hash_algo") as? String == "sha512")
            #expect(image.value("os_hash_value") as? String == sha512Hex(Self.data))
            #expect(storeHasData(cloud, id))
            #expect(incomingLeftovers(cloud).isEmpty)

            let download = try await client.download(id, token: actors.alice)
            #expect(download.status == 200, "\(download.summary)")
            expectBytes(download.bytes, Self.data)
            #expect(download.header("Content-MD5") == md5Hex(Self.data))
            #expect(download.header("Content-Length") == String(Self.data.count))
            #expect(download.header("Content-Type") == "application/octet-stream")
        }
    }

    @Test("Range bytes=10-19 answers 206 with those 10 bytes and Content-Range; bytes=-5 the last 5")
    func ranges() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createActiveImage(token: actors.alice, bytes: Self.data)
            let size = Self.data.count

            let middle = try await client.download(id, token: actors.alice, range: "bytes=10-19")
            #expect(middle.status == 206, "\(middle.summary)")
            expectBytes(middle.bytes, Array(Self.data[10..<20]))
            #expect(middle.header("Content-Range") == "bytes 10-19/\(size)")
            #expect(middle.header("Content-Length") == "10")

            let suffix = try await client.download(id, token: actors.alice, range: "bytes=-5")
            #expect(suffix.status == 206, "\(suffix.summary)")
            expectBytes(suffix.bytes, Array(Self.data.suffix(5)))
            #expect(suffix.header("Content-Range") == "bytes \(size - 5)-\(size - 1)/\(size)")

            let open = try await client.download(id, token: actors.alice, range: "bytes=39990-")
            #expect(open.status == 206, "\(open.summary)")
            expectBytes(open.bytes, Array(Self.data[39_990...]))

            // An end past the data is clipped to it.
            let clipped = try await client.download(id, token: actors.alice, range: "bytes=39998-50000")
            #expect(clipped.status == 206)
            expectBytes(clipped.bytes, Array(Self.data[39_998...]))
            #expect(clipped.header("Content-Range") == "bytes 39998-39999/\(size)")
        }
    }

    @Test("unsatisfiable or malformed ranges answer 416", arguments: ["bytes=40000-", "bytes=50000-50010", "bytes=20-10", "bytes=-0", "items=0-1"])
    func unsatisfiableRange(range: String) async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createActiveImage(token: actors.alice, bytes: Self.data)
            let reply = try await client.download(id, token: actors.alice, range: range)
            expectFault(reply, 416)
        }
    }

    /// RFC 9110 §15.5.17: a 416 to a byte-range request should carry `Content-Range: bytes */SIZE`.
    @Test("a 416 carries Content-Range: bytes */SIZE")
    func unsatisfiableRangeHeader() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createActiveImage(token: actors.alice, bytes: Self.data)
            let reply = try await client.download(id, token: actors.alice, range: "bytes=\(Self.data.count)-")
            #expect(reply.status == 416)
            #expect(reply.header("Content-Range") == "bytes */\(Self.data.count)", "headers: \(reply.headers)")
        }
    }

    @Test("GET file of a queued image answers 204 with no body")
    func downloadQueued() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let reply = try await client.download(id, token: actors.alice)
            #expect(reply.status == 204, "\(reply.summary)")
            #expect(reply.bytes.isEmpty)
        }
    }
}

@Suite("Image data: bad uploads leave the image and the store consistent")
struct ImageBadUploadTests {
    @Test("a second upload to an active image is a 409 and the data stays the first upload's")
    func secondUpload() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let first = payload(5000, seed: 1)
            let id = try await client.createActiveImage(token: actors.alice, bytes: first)
            let second = try await client.upload(id, payload(3000, seed: 2), token: actors.alice)
            expectFault(second, 409, title: "Conflict", messageContains: "active")
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("status") as? String == "active")
            #expect(image.value("size") as? Int == 5000)
            #expect(image.value("checksum") as? String == md5Hex(first))
            expectBytes(try await client.download(id, token: actors.alice).bytes, first)
            #expect(incomingLeftovers(cloud).isEmpty)
        }
    }

    @Test("an empty upload is a 400; the image stays queued without data, and a later upload works")
    func emptyUpload() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let reply = try await client.upload(id, [], token: actors.alice)
            expectFault(reply, 400, title: "Bad Request", messageContains: "empty")
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("status") as? String == "queued")
            #expect(image.value("size") is NSNull)
            #expect(image.value("checksum") is NSNull)
            #expect(!storeHasData(cloud, id))
            #expect(incomingLeftovers(cloud).isEmpty, "partial uploads left: \(incomingLeftovers(cloud))")
            #expect(try await client.download(id, token: actors.alice).status == 204)

            let data = payload(2048)
            let retry = try await client.upload(id, data, token: actors.alice)
            #expect(retry.status == 204, "\(retry.summary)")
            #expect(try await client.imageStatus(id, token: actors.alice) == "active")
            expectBytes(try await client.download(id, token: actors.alice).bytes, data)
        }
    }

    @Test("an upload as application/json is a 415 and the image stays queued")
    func wrongContentType() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let reply = try await client.upload(id, Array("{\"a\": 1}".utf8), token: actors.alice, contentType: "application/json")
            expectFault(reply, 415, title: "Unsupported Media Type")
            #expect(try await client.imageStatus(id, token: actors.alice) == "queued")
            #expect(!storeHasData(cloud, id))
            // The image still takes a proper upload.
            #expect(try await client.upload(id, payload(100), token: actors.alice).status == 204)
        }
    }

    @Test("an upload to another project's private image is a 404 and changes nothing")
    func uploadToOthersPrivate() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice, ["visibility": "private"])
            let reply = try await client.upload(id, payload(100), token: actors.demo)
            expectFault(reply, 404, title: "Not Found")
            #expect(try await client.imageStatus(id, token: actors.alice) == "queued")
            #expect(!storeHasData(cloud, id))
        }
    }

    @Test("an upload by a member of a shared image is a 403 and changes nothing")
    func uploadByMember() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let share = try await client.glance(.post, "/images/\(id)/members", token: actors.alice, json: ["member": actors.demoProject])
            #expect(share.status == 200, "\(share.summary)")
            let accept = try await client.glance(.put, "/images/\(id)/members/\(actors.demoProject)", token: actors.demo, json: ["status": "accepted"])
            #expect(accept.status == 200, "\(accept.summary)")
            let reply = try await client.upload(id, payload(100), token: actors.demo)
            expectFault(reply, 403, title: "Forbidden")
            #expect(try await client.imageStatus(id, token: actors.alice) == "queued")
            #expect(!storeHasData(cloud, id))
        }
    }

    @Test("an upload to a deactivated image is a 409 saying so, and the data is unchanged")
    func uploadToDeactivated() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let data = payload(3000)
            let id = try await client.createActiveImage(token: actors.alice, bytes: data)
            let deactivate = try await client.glance(.post, "/images/\(id)/actions/deactivate", token: actors.admin)
            #expect(deactivate.status == 204, "\(deactivate.summary)")
            let reply = try await client.upload(id, payload(500, seed: 9), token: actors.alice)
            #expect((400..<500).contains(reply.status), "\(reply.summary)")
            expectFault(reply, 409, messageContains: "deactivated")
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("status") as? String == "deactivated")
            #expect(image.value("checksum") as? String == md5Hex(data))
            let reactivate = try await client.glance(.post, "/images/\(id)/actions/reactivate", token: actors.admin)
            #expect(reactivate.status == 204, "\(reactivate.summary)")
            expectBytes(try await client.download(id, token: actors.alice).bytes, data)
        }
    }

    @Test("two concurrent uploads to one image: exactly one wins (204), the other is a 409, and the data is the winner's")
    func concurrentUploads() async throws {
        try await TestCloud.with { cloud, client in
            let actors = try await client.imageActors()
            let id = try await client.createImage(token: actors.alice)
            let first = payload(50_000, seed: 11), second = payload(30_000, seed: 12)
            async let a = client.upload(id, first, token: actors.alice)
            async let b = client.upload(id, second, token: actors.alice)
            let replies = try await [a, b]
            #expect(replies.map(\.status).sorted() == [204, 409], "\(replies.map(\.summary))")
            let winner = replies[0].status == 204 ? first : second
            let image = try await client.showImage(id, token: actors.alice)
            #expect(image.value("status") as? String == "active")
            #expect(image.value("size") as? Int == winner.count)
            #expect(image.value("checksum") as? String == md5Hex(winner))
            expectBytes(try await client.download(id, token: actors.alice).bytes, winner)
            #expect(incomingLeftovers(cloud).isEmpty, "partial uploads left: \(incomingLeftovers(cloud))")
        }
    }
}
