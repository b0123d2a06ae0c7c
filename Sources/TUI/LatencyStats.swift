// Running figures of a stream of durations (frame times, event-to-screen latencies): count, mean and worst over
// the whole run, percentiles over the most recent samples, so a session left open for days keeps bounded memory.
public struct LatencyStats: Sendable {
    public private(set) var count = 0
    public private(set) var total = Duration.zero
    public private(set) var worst = Duration.zero
    /// The most recent samples (a ring of `capacity`), for percentiles.
    private var recent: [Duration] = []
    private var next = 0
    public let capacity: Int

    public init(capacity: Int = 16_384) { self.capacity = max(1, capacity) }

    public mutating func add(_ sample: Duration) {
        count += 1
        total += sample
        worst = max(worst, sample)
        if recent.count < capacity {
            recent.append(sample)
        } else {
            recent[next] = sample
            next = (next + 1) % capacity
        }
    }

    public var mean: Duration { count > 0 ? total / count : .zero }

    /// The `p`-th percentile (0...100, nearest rank) of the recent samples; zero when there are none.
    ///
    /// ```swift
    /// var stats = LatencyStats()
    /// for ms in 1...100 { stats.add(.milliseconds(ms)) }
    /// stats.percentile(99)      // 99 ms
    /// ```
    public func percentile(_ p: Double) -> Duration {
        guard !recent.isEmpty else { return .zero }
        let sorted = recent.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }
}
