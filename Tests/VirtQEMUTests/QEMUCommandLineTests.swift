import Testing
import Virt
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
        #expect(Self.drives(commandLine.arguments) == ["file=/i/disk.qcow2,format=qcow2,if=none,id=disk0"])
        commandLine.extraDisks = ["/i/disk.eph0", "/i/disk.swap"]
        #expect(Self.drives(commandLine.arguments) == [
            "file=/i/disk.qcow2,format=qcow2,if=none,id=disk0", "file=/i/disk.eph0,format=qcow2,if=virtio,id=disk1", "file=/i/disk.swap,format=qcow2,if=virtio,id=disk2",
        ])
    }

    @Test func theRootDiskIsTheBootDiskAndVolumesComeLast() throws {
        var commandLine = Self.commandLine()
        commandLine.extraDisks = ["/i/disk.eph0"]
        commandLine.volumes = [
            try QEMUVolume(VolumeAttachmentSpec(volumeId: "3b1e5f0c-9d2a-4c1b-8e7f-0a1b2c3d4e5f", path: "/volumes/a,b.qcow2")),
            try QEMUVolume(VolumeAttachmentSpec(volumeId: "0f0e0d0c-0b0a-4908-8706-050403020100", path: "/volumes/raw", format: "raw")),
        ]
        let arguments = commandLine.arguments
        #expect(arguments.contains("virtio-blk-pci,drive=disk0,bootindex=1"))
        let firstVolume = try #require(arguments.firstIndex(of: "-blockdev"))
        let ephemeral = try #require(arguments.firstIndex(of: "file=/i/disk.eph0,format=qcow2,if=virtio,id=disk1"))
        #expect(firstVolume > ephemeral)
        #expect(Array(arguments[firstVolume..<firstVolume + 6]) == [
            "-blockdev", #"{"driver":"file","filename":"/volumes/a,b.qcow2","node-name":"file3b1e5f0c9d2a4c1b8e7f0a1b2c3"}"#,
            "-blockdev", #"{"driver":"qcow2","file":"file3b1e5f0c9d2a4c1b8e7f0a1b2c3","node-name":"vol3b1e5f0c9d2a4c1b8e7f0a1b2c3d"}"#,
            "-device", "virtio-blk-pci,drive=vol3b1e5f0c9d2a4c1b8e7f0a1b2c3d,id=volume-3b1e5f0c-9d2a-4c1b-8e7f-0a1b2c3d4e5f,serial=3b1e5f0c-9d2a-4c1b-8",
        ])
        #expect(arguments.contains(#"{"driver":"raw","file":"file0f0e0d0c0b0a490887060504030","node-name":"vol0f0e0d0c0b0a4908870605040302"}"#))
    }

    @Test func aRootVolumeIsTheFirstDiskAndTheBootDisk() throws {
        var commandLine = Self.commandLine()
        commandLine.disk = nil
        commandLine.extraDisks = ["/i/disk.swap"]
        commandLine.volumes = [
            try QEMUVolume(VolumeAttachmentSpec(volumeId: "0f0e0d0c-0b0a-4908-8706-050403020100", path: "/volumes/data")),
            try QEMUVolume(VolumeAttachmentSpec(volumeId: "3b1e5f0c-9d2a-4c1b-8e7f-0a1b2c3d4e5f", path: "/volumes/root", bootIndex: 0)),
        ]
        let arguments = commandLine.arguments
        let devices = zip(arguments, arguments.dropFirst()).filter { $0.0 == "-device" && $0.1.hasPrefix("virtio-blk-pci") }.map(\.1)
        #expect(devices == [
            "virtio-blk-pci,drive=vol3b1e5f0c9d2a4c1b8e7f0a1b2c3d,id=volume-3b1e5f0c-9d2a-4c1b-8e7f-0a1b2c3d4e5f,serial=3b1e5f0c-9d2a-4c1b-8,bootindex=1",
            "virtio-blk-pci,drive=vol0f0e0d0c0b0a4908870605040302,id=volume-0f0e0d0c-0b0a-4908-8706-050403020100,serial=0f0e0d0c-0b0a-4908-8",
        ])
        #expect(Self.drives(arguments) == ["file=/i/disk.swap,format=qcow2,if=virtio,id=disk1"])
        let root = try #require(arguments.firstIndex { $0.contains("bootindex=1") })
        let swap = try #require(arguments.firstIndex(of: "file=/i/disk.swap,format=qcow2,if=virtio,id=disk1"))
        let data = try #require(arguments.firstIndex { $0.contains("id=volume-0f0e") })
        #expect(root < swap && swap < data, "root volume, then the flavor's disks, then data volumes")
    }

    @Test func volumesQEMUCannotTakeAreRefused() {
        #expect(throws: DriverError.self) { try QEMUVolume(VolumeAttachmentSpec(volumeId: "a,b", path: "/v")) }
        #expect(throws: DriverError.self) { try QEMUVolume(VolumeAttachmentSpec(volumeId: "ab", path: "relative")) }
        #expect(throws: DriverError.self) { try QEMUVolume(VolumeAttachmentSpec(volumeId: "ab", path: "/v", format: "vmdk")) }
    }

    @Test func aResumeReadsTheSavedStateInsteadOfBooting() {
        var commandLine = Self.commandLine()
        #expect(!commandLine.arguments.contains("-incoming"))
        commandLine.incoming = "exec:cat '/i/state.save'"
        #expect(Array(commandLine.arguments.suffix(2)) == ["-incoming", "exec:cat '/i/state.save'"])
    }
}
