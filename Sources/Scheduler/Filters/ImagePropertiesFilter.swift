/// Keeps hosts that can run the image: its architecture (`hw_architecture`), hypervisor type (`img_hv_type`) and VM
/// mode (`hw_vm_mode`), or their legacy names, must all match one of the host's supported instances, and the
/// hypervisor version must satisfy `img_hv_requested_version` (e.g. `>=6.0, <7.0`).
public struct ImagePropertiesFilter: HostFilter {
    public init() {}

    public var name: String { "ImagePropertiesFilter" }
    public var runsOncePerRequest: Bool { true }

    public func passes(_ host: HostState, _ spec: ScheduleRequest) -> Bool {
        ImageRequirement(spec.imageProperties)?.admits(host.supportedInstances, version: host.hypervisorVersion) ?? true
    }

    public func removeRejected(from candidates: inout [Int], in hosts: [HostState], for spec: ScheduleRequest) {
        guard let requirement = ImageRequirement(spec.imageProperties) else { return }
        candidates.removeAll { !requirement.admits(hosts[$0].supportedInstances, version: hosts[$0].hypervisorVersion) }
    }
}

/// What an image asks of its host, canonicalised; nil when it asks nothing.
private struct ImageRequirement {
    let architecture: String?
    let hypervisorType: String?
    let vmMode: String?
    let version: String?

    init?(_ properties: [String: String]) {
        architecture = (properties["hw_architecture"] ?? properties["architecture"]).map(canonicalArchitecture)
        hypervisorType = (properties["img_hv_type"] ?? properties["hypervisor_type"]).map(canonicalHypervisorType)
        vmMode = (properties["hw_vm_mode"] ?? properties["vm_mode"]).map(canonicalVMMode)
        guard architecture != nil || hypervisorType != nil || vmMode != nil else { return nil }
        version = properties["img_hv_requested_version"]
    }

    func admits(_ supported: [SupportedInstance], version hostVersion: Int) -> Bool {
        let matches = supported.contains { instance in
            (architecture.map { $0 == canonicalArchitecture(instance.architecture) } ?? true)
                && (hypervisorType.map { $0 == canonicalHypervisorType(instance.hypervisorType) } ?? true)
                && (vmMode.map { $0 == canonicalVMMode(instance.vmMode) } ?? true)
        }
        guard matches else { return false }
        guard let version, hostVersion > 0 else { return true }
        return versionSatisfies(hostVersion, version)
    }
}

/// Nova's `Architecture.canonicalize`: lower case, `i386`-`i586` and Xen's `x86_32` as `i686`, `amd64` as `x86_64`.
private func canonicalArchitecture(_ name: String) -> String {
    let name = name.lowercased()
    switch name {
    case "i386", "i486", "i586", "x86_32", "x86_32p": return "i686"
    case "amd64": return "x86_64"
    default: return name
    }
}

/// Nova's `HVType.canonicalize`: lower case, `xapi` as `xen`.
private func canonicalHypervisorType(_ name: String) -> String {
    let name = name.lowercased()
    return name == "xapi" ? "xen" : name
}

/// Nova's `VMMode.canonicalize`: lower case, `pv` as `xen`, `hv` and `baremetal` as `hvm`.
private func canonicalVMMode(_ name: String) -> String {
    let name = name.lowercased()
    switch name {
    case "pv": return "xen"
    case "hv", "baremetal": return "hvm"
    default: return name
    }
}

/// Whether Nova's integer `version` (major * 10^6 + minor * 10^3 + micro) meets every comma-separated
/// `<op> <version>` clause of `requirement`, ops `<`, `<=`, `==`, `!=`, `>`, `>=`. An unreadable clause fails.
private func versionSatisfies(_ version: Int, _ requirement: String) -> Bool {
    var components: [Int] = []
    var rest = version
    while rest > 0 {
        components.insert(rest % 1000, at: 0)
        rest /= 1000
    }
    return requirement.split(separator: ",").allSatisfy { clause in
        let clause = clause.filter { !$0.isWhitespace }
        guard let digits = clause.firstIndex(where: \.isNumber) else { return false }
        let op = clause[..<digits]
        let numbers = clause[digits...].split(separator: ".", omittingEmptySubsequences: false).map { Int($0) }
        guard !numbers.isEmpty, numbers.allSatisfy({ $0 != nil }) else { return false }
        let order = compareVersions(components, numbers.compactMap { $0 })
        switch op {
        case "<": return order < 0
        case "<=": return order <= 0
        case "==": return order == 0
        case "!=": return order != 0
        case ">": return order > 0
        case ">=": return order >= 0
        default: return false
        }
    }
}

/// -1, 0 or 1 as `lhs` is older than, the same as or newer than `rhs`, missing components counting as 0.
private func compareVersions(_ lhs: [Int], _ rhs: [Int]) -> Int {
    for index in 0..<max(lhs.count, rhs.count) {
        let left = index < lhs.count ? lhs[index] : 0
        let right = index < rhs.count ? rhs[index] : 0
        if left != right { return left < right ? -1 : 1 }
    }
    return 0
}
