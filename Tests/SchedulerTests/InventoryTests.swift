@testable import Scheduler
import Testing

@Suite("Inventory and resource requests")
struct InventoryTests {
    @Test(arguments: [
        (Inventory(total: 4, reserved: 1, allocationRatio: 16.0), 48),
        (Inventory(total: 16_384, reserved: 512, allocationRatio: 1.5, used: 1_000), 22_808),
        (Inventory(total: 3, allocationRatio: 1.5), 4),  // 4.5 floored
        (Inventory(total: 8, reserved: 2, used: 7), 0),  // overcommitted: never negative
        (Inventory(total: 100), 100),
    ])
    func freeCountsReservedRatioAndUse(inventory: Inventory, free: Int) {
        #expect(inventory.free == free)
    }

    @Test func fitsWithinFreeAndMaxUnit() {
        let cpus = Inventory(total: 4, reserved: 1, allocationRatio: 16.0, used: 40)
        #expect(cpus.free == 8)
        #expect(cpus.fits(4))
        #expect(!cpus.fits(5))  // one instance never gets more than the host has (max_unit = total)
        #expect(Inventory(total: 4, allocationRatio: 16.0, maxUnit: 16).fits(16))
        #expect(!Inventory(total: 4, used: 2).fits(3))
        #expect(Inventory(total: 4, used: 4).fits(0))
    }

    @Test func diskCountsRootEphemeralAndSwapInWholeGigabytes() {
        #expect(makeSpec { $0.rootGB = 10; $0.ephemeralGB = 5 }.diskGB == 15)
        #expect(makeSpec { $0.rootGB = 10; $0.swapMB = 1 }.diskGB == 11)
        #expect(makeSpec { $0.rootGB = 10; $0.swapMB = 1024 }.diskGB == 11)
        #expect(makeSpec { $0.rootGB = 10; $0.swapMB = 1025 }.diskGB == 12)
    }

    @Test func hostFitsAndConsumesARequest() {
        var host = makeHost("fake-0", vcpus: 2, memoryMB: 2048, diskGB: 10)
        let spec = makeSpec { $0.vcpus = 1; $0.memoryMB = 1024; $0.rootGB = 4; $0.swapMB = 512 }
        #expect(host.fits(spec))
        host.consume(spec)
        #expect(host.vcpus.used == 1 && host.memoryMB.used == 1024 && host.diskGB.used == 5)
        #expect(host.numInstances == 1 && host.numIoOps == 1)
        #expect(host.fits(spec))
        host.consume(spec)
        #expect(!host.fits(spec))
    }
}
