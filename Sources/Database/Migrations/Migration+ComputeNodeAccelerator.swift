import SQLKit

extension Migration {
    /// The accelerator a compute host's guests run on (`tcg`, `kvm`; none for the fake driver), shown in the
    /// hypervisor's `cpu_info`.
    static let computeNodeAccelerator = Migration(version: 10, name: "compute node accelerator") { db in
        try await db.alter(table: "compute_nodes").column("accelerator", type: .text).run()
    }
}
