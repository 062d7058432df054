public import ComputeAgent
import Foundation
public import Virt
public import VirtQEMU

/// Which hypervisor a process's compute hosts run (`--driver`).
public enum ComputeDriverChoice: Sendable, Equatable {
    /// `hosts` simulated hosts `fake-0` … in memory.
    case fake(hosts: Int)
    /// One real host named `host`, its guests run by QEMU.
    case qemu(host: String, settings: QemuSettings)
}

/// One compute host of the process: its name, its driver, and its image cache when the driver boots from files.
public struct ComputeHost: Sendable {
    public let name: String
    public let driver: any HypervisorDriver
    let imageCache: ImageCache?

    public init(name: String, driver: any HypervisorDriver, imageCache: ImageCache? = nil) {
        self.name = name
        self.driver = driver
        self.imageCache = imageCache
    }

    /// Makes the hosts of `choice`, probing a real driver first: a host that cannot run guests (QEMU missing) stops the
    /// start with the driver's message.
    public static func make(_ choice: ComputeDriverChoice) async throws -> [ComputeHost] {
        switch choice {
        case .fake(let count):
            return (0..<count).map { ComputeHost(name: "fake-\($0)", driver: FakeDriver()) }
        case .qemu(let host, let settings):
            let driver = try await QemuDriver.probe(settings)
            return [ComputeHost(name: host, driver: driver, imageCache: ImageCache(directory: settings.dataDirectory + "/image-cache"))]
        }
    }

    /// The one line a start prints about its hosts.
    public static func summary(_ hosts: [ComputeHost]) -> String {
        guard let first = hosts.first else { return "no compute hosts" }
        if let qemu = first.driver as? QemuDriver {
            return "compute driver qemu (QEMU \(qemu.version), accelerator \(qemu.settings.accelerator.rawValue)), host \(first.name)"
        }
        return "compute driver \(first.driver.name), \(hosts.count) host(s): \(first.name)" + (hosts.count > 1 ? " ... \(hosts.last!.name)" : "")
    }
}
