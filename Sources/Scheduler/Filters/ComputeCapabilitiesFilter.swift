/// Keeps hosts whose capabilities satisfy the flavor's extra specs, with Nova's operators (`= 4`, `s== x`, `<in> x`,
/// `<or> x <or> y`, ...).
///
/// Specs scoped `capabilities:` must match, and a host without the capability fails. Unscoped specs are matched only
/// when the host has a capability of that name; specs in any other scope (`hw:`, `quota:`, ...) are not its business.
public struct ComputeCapabilitiesFilter: HostFilter {
    public init() {}

    public var name: String { "ComputeCapabilitiesFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        CapabilityChecks(spec.extraSpecs)?.admit(host) ?? true
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard let checks = CapabilityChecks(spec.extraSpecs) else { return }
        candidates.removeAll { !checks.admit(hosts[$0]) }
    }
}

/// The extra specs that concern capabilities; nil when none does.
private struct CapabilityChecks {
    /// The capability, the requirement, and whether a host without the capability fails (scoped) or is let be.
    let checks: [(capability: String, requirement: String, scoped: Bool)]

    init?(_ extraSpecs: [String: String]) {
        checks = extraSpecs.compactMap { key, requirement in
            guard let colon = key.firstIndex(of: ":") else { return (key, requirement, false) }
            guard key[..<colon] == "capabilities" else { return nil }
            return (String(key[key.index(after: colon)...]), requirement, true)
        }
        guard !checks.isEmpty else { return nil }
    }

    func admit(_ host: HostState) -> Bool {
        checks.allSatisfy { check in
            guard let value = host.capability(check.capability) else { return !check.scoped }
            return extraSpecMatches(value, check.requirement)
        }
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
