/// Keeps hosts whose capabilities satisfy the flavor's extra specs (see ``extraSpecMatches(_:_:)`` for operators).
///
/// Specs scoped `capabilities:` must match, and a host without the capability fails. Unscoped specs are matched only
/// when the host has a capability of that name; specs in any other scope (`hw:`, `quota:`, ...) are not its business.
public struct ComputeCapabilitiesFilter: HostFilter {
    public init() {}

    public var name: String { "ComputeCapabilitiesFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: RequestSpec) -> Bool {
        for (key, requirement) in spec.extraSpecs {
            let value: String
            if let colon = key.firstIndex(of: ":") {
                guard key[..<colon] == "capabilities" else { continue }
                guard let capability = host.capability(String(key[key.index(after: colon)...])) else { return false }
                value = capability
            } else {
                guard let capability = host.capability(key) else { continue }
                value = capability
            }
            guard extraSpecMatches(value, requirement) else { return false }
        }
        return true
    }
}

extension HostState {
    /// The capability `key`: from ``capabilities``, else from the host's own fields under Nova's HostState names.
    fileprivate func capability(_ key: String) -> String? {
        if let value = capabilities[key] { return value }
        switch key {
        case "host": return host
        case "hypervisor_type": return hypervisorType
        case "hypervisor_version": return String(hypervisorVersion)
        case "cpu_info:arch": return cpuArchitecture
        case "vcpus_total": return String(vcpus.total)
        case "vcpus_used": return String(vcpus.used)
        case "free_ram_mb": return String(memoryMB.free)
        case "free_disk_mb": return String(diskGB.free * 1024)
        case "num_instances": return String(numInstances)
        case "num_io_ops": return String(numIoOps)
        default: return nil
        }
    }
}
