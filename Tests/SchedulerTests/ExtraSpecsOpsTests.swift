@testable import Scheduler
import Testing

@Suite("Extra spec operators")
struct ExtraSpecsOpsTests {
    @Test(arguments: [
        ("4", "= 2", true), ("1", "= 2", false), ("2", "= 2.0", true),
        ("2", "== 2.0", true), ("3", "== 2", false),
        ("3", "!= 2", true), ("2", "!= 2", false),
        ("8", ">= 8", true), ("7", ">= 8", false),
        ("7", "<= 8", true), ("9", "<= 8", false),
        ("many", ">= 8", false),  // not a number
        ("QEMU", "s== QEMU", true), ("qemu", "s== QEMU", false),
        ("kvm", "s!= QEMU", true), ("QEMU", "s!= QEMU", false),
        ("b", "s< c", true), ("b", "s<= b", true), ("c", "s> b", true), ("b", "s>= c", false),
        ("avx2 sse4", "<in> avx", true), ("sse4", "<in> avx", false),
        ("avx2 sse4 aes", "<all-in> aes avx2", true), ("avx2 sse4", "<all-in> aes avx2", false),
        ("kvm", "<or> qemu <or> kvm", true), ("xen", "<or> qemu <or> kvm", false), ("qemu", "<or> qemu", true),
        ("true", "true", true), ("True", "true", false), ("fast disk", "fast disk", true),
        ("4", ">=", false),  // an operator without an operand
    ])
    func match(value: String, requirement: String, matches: Bool) {
        #expect(extraSpecMatches(value, requirement) == matches)
    }
}
