import Testing
import VirtQEMU

@Suite("QEMU command line")
struct QEMUCommandLineTests {
    static func commandLine() -> QEMUCommandLine {
        QEMUCommandLine(
            name: "guest", accelerator: .tcg, memoryMB: 128, vcpus: 1, disk: "/i/disk.qcow2", qmpSocket: "/i/qmp.sock",
            serialLog: "/i/console.log", pidFile: "/i/pid"
        )
    }

    /// Every `-drive` value, in order.
    static func drives(_ arguments: [String]) -> [String] {
        zip(arguments, arguments.dropFirst()).filter { $0.0 == "-drive" }.map(\.1)
    }

    @Test func ephemeralAndSwapDisksFollowTheRootDiskOnVirtio() {
        var commandLine = Self.commandLine()
        #expect(Self.drives(commandLine.arguments) == ["file=/i/disk.qcow2,format=qcow2,if=virtio"])
        commandLine.extraDisks = ["/i/disk.eph0", "/i/disk.swap"]
        #expect(Self.drives(commandLine.arguments) == [
            "file=/i/disk.qcow2,format=qcow2,if=virtio", "file=/i/disk.eph0,format=qcow2,if=virtio", "file=/i/disk.swap,format=qcow2,if=virtio",
        ])
    }

    @Test func aResumeReadsTheSavedStateInsteadOfBooting() {
        var commandLine = Self.commandLine()
        #expect(!commandLine.arguments.contains("-incoming"))
        commandLine.incoming = "exec:cat '/i/state.save'"
        #expect(Array(commandLine.arguments.suffix(2)) == ["-incoming", "exec:cat '/i/state.save'"])
    }
}
