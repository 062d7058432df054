import Foundation
import HTTPSupport
import ServiceClients
import StratusCore
import Virt
import VirtQEMU

/// Real guests of the test image under QEMU (issue 6's benchmark): the time from `POST /servers` to the guest's banner
/// on its serial console, beside the same image started by hand with the command line the driver uses (the same
/// accelerator, memory and vCPUs, its disk an overlay made beforehand); then the memory of each guest's QEMU and what
/// Stratus itself grows by per running guest. Boots one guest at a time, so each has the machine's cores to itself.
struct GuestsBenchmark: Sendable {
    let cloud: BenchCloud
    /// The cloud's data directory, where the guests' console logs and pid files are.
    let dataDirectory: String
    /// The stratus process, whose resident memory is measured.
    let serverPid: Int32
    let image: String
    let rounds: Int
    let memoryGuests: Int
    let memoryMB = 128
    let banner = "STRATUS TEST GUEST "
    let ready = "STRATUS TEST GUEST READY"
    /// How long one guest may take to its banner and to ready, under TCG on a busy machine.
    let bootLimit = Duration.seconds(180)

    func run() async throws {
        print("guests: \(rounds) boots each way of \(image), \(memoryMB) MiB, 1 vCPU, TCG, one at a time")
        let flavor = try await createFlavor()
        let imageId = try await uploadImage()
        // The first boot fills the host's image cache; the figures are for a cached image.
        _ = try await bootThroughStratus(flavor: flavor, image: imageId, deleteAfter: true)
        // The two kinds take turns, so a change in the machine's load falls on both alike.
        var plain = (banner: Latencies(), ready: Latencies(), rss: [Int]())
        var stratus = (banner: Latencies(), ready: Latencies(), rss: [Int]())
        for _ in 0..<rounds {
            let byHand = try await bootByHand()
            plain.banner.append(byHand.banner)
            plain.ready.append(byHand.ready)
            plain.rss.append(byHand.rss)
            let boot = try await bootThroughStratus(flavor: flavor, image: imageId, deleteAfter: true)
            stratus.banner.append(boot.banner)
            stratus.ready.append(boot.ready)
            stratus.rss.append(boot.rss)
        }
        print(plain.banner.line("plain QEMU, launch->banner", of: "boots"))
        print(stratus.banner.line("Stratus, POST /servers->banner", of: "boots"))
        print(plain.ready.line("plain QEMU, launch->ready", of: "boots"))
        print(stratus.ready.line("Stratus, POST /servers->ready", of: "boots"))
        let ratio = stratus.banner.percentile(50) / plain.banner.percentile(50)
        print("ratio POST->banner / plain launch->banner (p50): \(format2(ratio)) (target <= 1.10)")
        print("ratio POST->ready / plain launch->ready (p50): \(format2(stratus.ready.percentile(50) / plain.ready.percentile(50)))")
        print("QEMU RSS per guest: Stratus's \(mebibytes(median(stratus.rss))) MiB, by hand \(mebibytes(median(plain.rss))) MiB")
        try await measureOverhead(flavor: flavor, image: imageId)
    }

    /// Stratus's own memory with no guest, then with `memoryGuests` running: what it adds per guest.
    private func measureOverhead(flavor: String, image: String) async throws {
        let before = try Self.residentKiB(serverPid)
        var ids: [String] = []
        for _ in 0..<memoryGuests { ids.append(try await bootThroughStratus(flavor: flavor, image: image, deleteAfter: false).id) }
        let after = try Self.residentKiB(serverPid)
        let perGuest = Double(after - before) / Double(memoryGuests) / 1024
        print("Stratus RSS: \(mebibytes(before)) MiB with no guest, \(mebibytes(after)) MiB with \(memoryGuests) running: "
              + "\(format2(perGuest)) MiB per guest (target < 2)")
        for id in ids { try await deleteServer(id) }
    }

    // MARK: By hand

    /// The driver's command line, started by hand on an overlay made beforehand.
    private func bootByHand() async throws -> (banner: Duration, ready: Duration, rss: Int) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("stratus-bench-guest-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = directory + "/disk.qcow2"
        let overlay = try await ToolRun.run("qemu-img", ["create", "-q", "-f", "qcow2", "-b", image, "-F", "qcow2", disk, "1G"])
        guard overlay.status == 0 else { throw BenchCloud.Failure(description: "qemu-img create \(disk) failed: \(overlay.errors)") }
        let console = directory + "/console.log"
        let commandLine = QEMUCommandLine(
            name: "bench", accelerator: .tcg, memoryMB: memoryMB, vcpus: 1, disk: disk, qmpSocket: directory + "/qmp.sock",
            serialLog: console, pidFile: directory + "/pid"
        )
        let start = ContinuousClock.now
        let process = try await QEMUProcess.launch(commandLine)
        do {
            let banner = try await wait(for: banner, in: console, since: start)
            let ready = try await wait(for: ready, in: console, since: start)
            let rss = try Self.residentKiB(process.pid)
            try await process.killAndWait()
            return (banner, ready, rss)
        } catch {
            try? await process.killAndWait()
            throw error
        }
    }

    // MARK: Through Stratus

    private func bootThroughStratus(flavor: String, image: String, deleteAfter: Bool) async throws -> (id: String, banner: Duration, ready: Duration, rss: Int) {
        struct Reply: Decodable {
            struct Server: Decodable { let id: String }
            let server: Server
        }
        let body: JSONValue = .object(["server": .object([
            "name": .string("bench-guest"), "imageRef": .string(image), "flavorRef": .string(flavor), "networks": .string("none"),
        ])])
        let start = ContinuousClock.now
        let reply = try await cloud.call("POST", "/compute/v2.1/servers", json: body, expecting: 202).body
        let id = try JSONDecoder().decode(Reply.self, from: Data(reply)).server.id
        let console = "\(dataDirectory)/instances/\(id)/console.log"
        let banner = try await wait(for: banner, in: console, since: start)
        let ready = try await wait(for: ready, in: console, since: start)
        let pidText = try String(contentsOfFile: "\(dataDirectory)/instances/\(id)/pid", encoding: .utf8)
        let rss = try Int32(pidText.trimmingCharacters(in: .whitespacesAndNewlines)).map(Self.residentKiB) ?? 0
        if deleteAfter { try await deleteServer(id) }
        return (id, banner, ready, rss)
    }

    private func deleteServer(_ id: String) async throws {
        try await cloud.call("DELETE", "/compute/v2.1/servers/\(id)", expecting: 204)
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            do {
                try await cloud.call("GET", "/compute/v2.1/servers/\(id)", expecting: 404)
                return
            } catch is BenchCloud.Failure {
                try await Task.sleep(for: .milliseconds(50))
            }
        }
        throw BenchCloud.Failure(description: "server \(id) was not gone 120 s after its delete")
    }

    private func createFlavor() async throws -> String {
        struct Reply: Decodable {
            struct Flavor: Decodable { let id: String }
            let flavor: Flavor
        }
        let body: JSONValue = .object(["flavor": .object([
            "name": .string("bench-guest-\(UUID().uuidString.prefix(8))"), "ram": .number(Double(memoryMB)), "vcpus": .number(1), "disk": .number(1),
        ])])
        return try JSONDecoder().decode(Reply.self, from: Data(try await cloud.call("POST", "/compute/v2.1/flavors", json: body, expecting: 200).body)).flavor.id
    }

    private func uploadImage() async throws -> String {
        struct Reply: Decodable { let id: String }
        let body: JSONValue = .object(["name": .string("stratus-bench-guest"), "disk_format": .string("qcow2"), "container_format": .string("bare")])
        let id = try JSONDecoder().decode(Reply.self, from: Data(try await cloud.call("POST", "/image/v2/images", json: body, expecting: 201).body)).id
        let data = try Array(Data(contentsOf: URL(fileURLWithPath: image)))
        try await cloud.call("PUT", "/image/v2/images/\(id)/file", raw: data, contentType: "application/octet-stream", expecting: 204)
        return id
    }

    // MARK: Measuring

    /// How long after `start` the file first holds `text`, polled every 10 ms.
    private func wait(for text: String, in path: String, since start: ContinuousClock.Instant) async throws -> Duration {
        let needle = Array(text.utf8)
        while ContinuousClock.now - start < bootLimit {
            if let data = FileManager.default.contents(atPath: path), Self.contains(Array(data), needle) { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchCloud.Failure(description: "\(path) did not show \"\(text)\" within \(bootLimit)")
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    /// The process's resident memory (`VmRSS`) in KiB.
    static func residentKiB(_ pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kib = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw BenchCloud.Failure(description: "no VmRSS for process \(pid)")
        }
        return kib
    }

    private func median(_ values: [Int]) -> Int { values.sorted()[values.count / 2] }
    private func mebibytes(_ kib: Int) -> String { format(Double(kib) / 1024) }
    private func format2(_ value: Double) -> String { String(format: "%.2f", value) }
}
