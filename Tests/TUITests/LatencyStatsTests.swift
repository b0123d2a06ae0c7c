// LatencyStats: the run loop's frame-time and event-latency figures (mean, worst, nearest-rank percentiles over a
// bounded ring of recent samples).
import Testing
import TUI

@Test func latencyStatsGiveMeanWorstAndNearestRankPercentiles() {
    var stats = LatencyStats()
    #expect(stats.percentile(99) == .zero && stats.mean == .zero)
    for ms in [5, 1, 4, 2, 3] { stats.add(.milliseconds(ms)) }
    #expect(stats.count == 5)
    #expect(stats.mean == .milliseconds(3))
    #expect(stats.worst == .milliseconds(5))
    #expect(stats.percentile(50) == .milliseconds(3))
    #expect(stats.percentile(80) == .milliseconds(4))
    #expect(stats.percentile(100) == .milliseconds(5))
    #expect(stats.percentile(0) == .milliseconds(1))
}

@Test func latencyStatsKeepOnlyRecentSamplesForPercentilesButCountAll() {
    var stats = LatencyStats(capacity: 4)
    for ms in [100, 100, 100, 100, 1, 2, 3, 4] { stats.add(.milliseconds(ms)) }
    #expect(stats.count == 8)
    #expect(stats.worst == .milliseconds(100))                 // over the whole run
    #expect(stats.percentile(100) == .milliseconds(4))         // the ring holds the last four only
    #expect(stats.mean == .microseconds(51_250))
}
