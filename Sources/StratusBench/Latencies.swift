/// Durations of one kind of request, summarised as nearest-rank percentiles.
struct Latencies: Sendable {
    private(set) var samples: [Duration] = []

    mutating func append(_ sample: Duration) { samples.append(sample) }
    mutating func append(contentsOf other: Latencies) { samples += other.samples }

    /// The nearest-rank `percent` percentile in milliseconds.
    func percentile(_ percent: Double) -> Double {
        let sorted = samples.sorted()
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1].milliseconds
    }

    /// `NAME: p50 X ms, p95 Y ms, p99 Z ms, max W ms (K requests)`.
    func line(_ name: String, of unit: String = "requests") -> String {
        "\(name): p50 \(format(percentile(50))) ms, p95 \(format(percentile(95))) ms, p99 \(format(percentile(99))) ms, "
            + "max \(format(percentile(100))) ms (\(samples.count) \(unit))"
    }
}

extension Duration {
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    var seconds: Double { milliseconds / 1000 }
}

/// A figure with one decimal.
func format(_ value: Double) -> String {
    let tenths = (value * 10).rounded()
    return "\(Int(tenths) / 10).\(abs(Int(tenths) % 10))"
}
