public import ComputeAgent
public import ComputeLink
import Foundation
import HTTPSupport
public import Logging
import Messaging
import NetworkAPI
import ServiceClients
import ServiceLifecycle
public import StratusCore
import UnixSignals
import Virt

/// `stratus compute`: compute hosts in a process of their own, with no database: only a Keystone service user's
/// credentials. The hosts reach the bus over one link they dial out to the control plane (`LinkTransport`) and the
/// other services over their HTTP APIs, as nova-compute reaches neutron, glance and cinder.
public enum ComputeProcess {
    /// Runs until SIGTERM or SIGINT. `host` names the host (`--fake-hosts N` above 1: `host-0` … `host-N-1`, one link).
    public static func run(
        controlPlane: String, credentials: ComputeCredentials, host: String, driver: ComputeDriverChoice, settings: ComputeSettings,
        logger: Logger
    ) async throws {
        let hosts: [ComputeHost]
        switch driver {
        case .fake(let count): hosts = (0..<count).map { ComputeHost(name: count == 1 ? host : "\(host)-\($0)", driver: FakeDriver()) }
        case .qemu: hosts = try await ComputeHost.make(driver)
        }
        Console.line("stratus: \(ComputeHost.summary(hosts))")
        let session = try await ServiceUserSession.start(credentials, logger: logger)
        let link = LinkTransport(controlPlane: controlPlane, host: host, token: session.token, logger: logger)
        let caller = ServiceCaller(auth: session.auth, renewed: session.token)
        let network = HTTPNetworkClient(baseURL: controlPlane + "/networking")
        let images = HTTPImageClient(baseURL: controlPlane + "/image")
        let volumes = HTTPVolumeServiceClient(baseURL: controlPlane + "/volume")
        let managers = hosts.map { host in
            ComputeManager(
                host: host.name, driver: host.driver, rpc: RPCClient(transport: link, sender: host.name), network: network, images: images,
                volumes: volumes, imageCache: host.imageCache, forceConfigDrive: settings.forceConfigDrive, serviceCaller: caller,
                clock: SystemWallClock(), logger: logger, orphanedGuestAction: settings.orphanedGuestAction
            )
        }
        let services: [any Service] = [session, link] + ComputeServices.hostServices(
            managers, hosts: hosts, transport: link, settings: settings, startedAt: Timestamp(Date()), ready: {}, logger: logger
        )
        Console.line("stratus compute ready: \(hosts.count) host(s) linked to \(controlPlane)")
        try await ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
    }
}

extension HTTPImageClient: ImageServiceClient {}
