/// A kind of guest a host can run: one entry of Nova's `supported_instances`.
public struct SupportedInstance: Sendable, Equatable {
    /// `x86_64`, `aarch64`, ...
    public var architecture: String
    /// `qemu`, `kvm`, `fake`, ...
    public var hypervisorType: String
    /// `hvm`, `xen`, `exe`, `uml`.
    public var vmMode: String

    public init(architecture: String, hypervisorType: String, vmMode: String) {
        self.architecture = architecture
        self.hypervisorType = hypervisorType
        self.vmMode = vmMode
    }
}
