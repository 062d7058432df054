import StratusCore
import Testing
import Virt

@Suite("Fake driver")
struct FakeDriverTests {
    static let guest = GuestSpec(instanceId: "i-1", name: "vm", hostname: "vm", vcpus: 1, memoryMB: 512, rootGB: 1)

    @Test func powerActionsFollowTheStateRules() async throws {
        let driver = FakeDriver()
        try await driver.spawn(Self.guest)
        #expect(await driver.powerState("i-1") == .running)
        await #expect(throws: DriverError.guestExists("i-1")) { try await driver.spawn(Self.guest) }
        try await driver.pause("i-1")
        #expect(await driver.powerState("i-1") == .paused)
        await #expect(throws: DriverError.self) { try await driver.powerOn("i-1") }
        try await driver.unpause("i-1")
        try await driver.powerOff("i-1")
        #expect(await driver.powerState("i-1") == .shutdown)
        await #expect(throws: DriverError.self) { try await driver.reboot("i-1", hard: false) }
        try await driver.reboot("i-1", hard: true)
        #expect(await driver.powerState("i-1") == .running)
        try await driver.suspend("i-1")
        try await driver.resume("i-1")
        #expect(try await driver.consoleOutput("i-1", lines: 1).contains("resume"))
        try await driver.destroy("i-1")
        #expect(await driver.powerState("i-1") == .noState)
        #expect(await driver.guests().isEmpty)
        // Destroying what is gone is not an error.
        try await driver.destroy("i-1")
    }

    @Test func injectedFailuresAndDelays() async throws {
        let driver = FakeDriver(delays: [.spawn: .milliseconds(1)])
        await driver.injectFailure(.spawn, message: "no room on the fake host")
        await #expect(throws: DriverError.failed("no room on the fake host")) { try await driver.spawn(Self.guest) }
        #expect(await driver.guests().isEmpty, "a failed spawn left a guest behind")
        await driver.injectFailure(.spawn, message: nil)
        try await driver.spawn(Self.guest)
        #expect(await driver.guests() == ["i-1"])
    }
}
