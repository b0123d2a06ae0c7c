// Counters and histograms of the server, exposed as Prometheus text on GET /metrics and as a snapshot for
// the TUI. Updated from request handlers (any thread), so guarded by a lock.
import Engine
import Foundation

/// A Prometheus histogram with fixed upper bounds (seconds).
struct Histogram: Sendable {
    let bounds: [Double]
    private(set) var counts: [Int]
    private(set) var sum = 0.0
    private(set) var count = 0

    init(bounds: [Double]) {
        self.bounds = bounds
        counts = Array(repeating: 0, count: bounds.count)
    }

    mutating func observe(_ value: Double) {
        for (i, bound) in bounds.enumerated() where value <= bound { counts[i] += 1 }
        sum += value
        count += 1
    }

    func lines(_ name: String) -> [String] {
        var out = ["# TYPE \(name) histogram"]
        for (bound, n) in zip(bounds, counts) { out.append("\(name)_bucket{le=\"\(bound)\"} \(n)") }
        out.append("\(name)_bucket{le=\"+Inf\"} \(count)")
        out.append("\(name)_sum \(sum)")
        out.append("\(name)_count \(count)")
        return out
    }
}

/// What the TUI shows of a running server.
public struct ServerCounters: Sendable, Equatable {
    public var requests = 0
    public var failedRequests = 0
    public var inFlight = 0
    public var promptTokens = 0
    public var completionTokens = 0
    public var lastTimeToFirstToken = 0.0
}

public final class ServerMetrics: @unchecked Sendable {  // guarded by `lock`
    private let lock = NSLock()
    private var requestsByRoute: [String: Int] = [:]   // "route status" → count
    private var counters = ServerCounters()
    private var latency = Histogram(bounds: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
    private var firstToken = Histogram(bounds: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    private var queueWait = Histogram(bounds: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])

    public init() {}

    func started() {
        lock.lock(); defer { lock.unlock() }
        counters.inFlight += 1
    }

    func finished(route: String, status: Int, seconds: Double) {
        lock.lock(); defer { lock.unlock() }
        counters.inFlight -= 1
        counters.requests += 1
        if status >= 400 { counters.failedRequests += 1 }
        requestsByRoute["\(route) \(status)", default: 0] += 1
        latency.observe(seconds)
    }

    /// A request that was rejected before any handler work (auth, routing).
    func rejected(route: String, status: Int) {
        lock.lock(); defer { lock.unlock() }
        counters.requests += 1
        counters.failedRequests += 1
        requestsByRoute["\(route) \(status)", default: 0] += 1
    }

    func generated(_ stats: GenerationStats, queueSeconds: Double) {
        lock.lock(); defer { lock.unlock() }
        counters.promptTokens += stats.promptTokens
        counters.completionTokens += stats.generatedTokens
        if stats.generatedTokens > 0 {
            firstToken.observe(stats.timeToFirstToken)
            counters.lastTimeToFirstToken = stats.timeToFirstToken
        }
        queueWait.observe(queueSeconds)
    }

    public var counterSnapshot: ServerCounters {
        lock.lock(); defer { lock.unlock() }
        return counters
    }

    /// Prometheus text exposition (version 0.0.4).
    func prometheusText(scheduler s: SchedulerSnapshot, model: String) -> String {
        lock.lock(); defer { lock.unlock() }
        var out: [String] = []
        func metric(_ name: String, _ type: String, _ help: String, _ value: some Numeric) {
            out += ["# HELP \(name) \(help)", "# TYPE \(name) \(type)", "\(name) \(value)"]
        }
        out += ["# HELP lathe_requests_total HTTP requests by route and status.", "# TYPE lathe_requests_total counter"]
        for key in requestsByRoute.keys.sorted() {
            let parts = key.split(separator: " ")
            out.append("lathe_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(requestsByRoute[key]!)")
        }
        metric("lathe_requests_in_flight", "gauge", "Requests being handled.", counters.inFlight)
        metric("lathe_prompt_tokens_total", "counter", "Prompt tokens of finished generations.", counters.promptTokens)
        metric("lathe_completion_tokens_total", "counter", "Generated tokens of finished generations.", counters.completionTokens)
        metric("lathe_prompt_tokens_processed_total", "counter", "Prompt tokens run through the model.", s.promptTokensProcessed)
        metric("lathe_prompt_tokens_cached_total", "counter", "Prompt tokens reused from a slot's cache.", s.promptTokensCached)
        metric("lathe_generated_tokens_total", "counter", "Tokens sampled by the scheduler.", s.generatedTokens)
        metric("lathe_sequences_finished_total", "counter", "Sequences that ended normally.", s.finishedSequences)
        metric("lathe_sequences_cancelled_total", "counter", "Sequences cancelled (client gone or server stopping).",
               s.cancelledSequences)
        metric("lathe_batch_steps_total", "counter", "Forward passes of the batch scheduler.", s.steps)
        metric("lathe_queue_depth", "gauge", "Requests waiting for a slot.", s.waitingRequests)
        metric("lathe_active_sequences", "gauge", "Sequences holding a slot.", s.activeSequences)
        metric("lathe_slots", "gauge", "Slots (parallel sequences).", s.slots)
        metric("lathe_kv_cache_tokens_used", "gauge", "KV cache positions held by active sequences.", s.kvTokensUsed)
        metric("lathe_kv_cache_tokens_capacity", "gauge", "KV cache positions in the pool.", s.kvTokensCapacity)
        metric("lathe_kv_cache_bytes", "gauge", "Bytes of the KV cache pool.", s.kvBytes)
        out += ["# HELP lathe_request_duration_seconds Time to handle a request."]
        out += latency.lines("lathe_request_duration_seconds")
        out += ["# HELP lathe_time_to_first_token_seconds From arrival to the first generated token."]
        out += firstToken.lines("lathe_time_to_first_token_seconds")
        out += ["# HELP lathe_queue_wait_seconds Time a request waited for a slot."]
        out += queueWait.lines("lathe_queue_wait_seconds")
        out.append("# HELP lathe_model_info The served model.")
        out.append("# TYPE lathe_model_info gauge")
        out.append("lathe_model_info{model=\"\(model)\"} 1")
        return out.joined(separator: "\n") + "\n"
    }
}
