/// Placement-style inventory of one resource class (VCPU, MEMORY_MB or DISK_GB) on one host.
public struct Inventory: Sendable, Equatable {
    /// What the host has.
    public var total: Int
    /// What the host keeps for itself.
    public var reserved: Int
    /// How far the unreserved amount may be overcommitted (Nova's cpu/ram/disk_allocation_ratio).
    public var allocationRatio: Double
    /// What instances on the host hold.
    public var used: Int
    /// The most one instance may take (placement's `max_unit`; Nova reports the total).
    public var maxUnit: Int

    public init(total: Int, reserved: Int = 0, allocationRatio: Double = 1.0, used: Int = 0, maxUnit: Int? = nil) {
        self.total = total
        self.reserved = reserved
        self.allocationRatio = allocationRatio
        self.used = used
        self.maxUnit = maxUnit ?? total
    }

    /// `(total - reserved) * allocationRatio - used`, floored, never negative.
    public var free: Int {
        let capacity = Double(total - reserved) * allocationRatio
        // Truncating is flooring here, and much cheaper; the comparison also turns NaN into 0.
        let whole = capacity >= 1 ? Int(min(capacity, 0x1p62)) : 0
        return max(whole - used, 0)
    }

    /// Whether one instance may take `amount` more: within `free` and `maxUnit`. Nothing asked always fits.
    public func fits(_ amount: Int) -> Bool {
        amount <= 0 || (amount <= free && amount <= maxUnit)
    }
}
