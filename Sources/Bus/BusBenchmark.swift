// Micro-benchmark: one publisher, four subscribers on a reliable topic; used by `lathe bench bus`.
import Foundation

public enum BusBenchmark {
    /// Published messages per second, each delivered to all four subscribers
    /// (deliveries per second are four times this).
    ///
    /// ```swift
    /// let rate = await BusBenchmark.run()        // e.g. print("\(Int(rate)) msgs/s")
    /// ```
    public static func run(messages: Int = 200_000, subscribers: Int = 4) async -> Double {
        let bus = Bus()
        let topic = Topic<Int>(name: "bench", delivery: .reliable)
        var streams: [AsyncStream<Int>] = []
        for _ in 0..<subscribers { streams.append(await bus.subscribe(topic)) }
        let start = ContinuousClock.now
        await withTaskGroup(of: Int.self) { group in
            for stream in streams {
                group.addTask {
                    var received = 0
                    for await _ in stream {
                        received += 1
                        if received == messages { break }
                    }
                    return received
                }
            }
            group.addTask {
                for i in 0..<messages { await bus.publish(i, on: topic) }
                return 0
            }
            for await _ in group {}
        }
        let elapsed = ContinuousClock.now - start
        await bus.shutdown()
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return Double(messages) / max(seconds, 1e-9)
    }
}
