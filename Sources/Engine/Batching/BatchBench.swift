// `lathe bench serve`: what continuous batching buys. For 1, 4, 8… concurrent streams it measures the
// aggregate generated tokens/s (all streams together, from submission to the last token) and each stream's
// own decode speed; then the time to first token of a new request that arrives while 4 streams decode,
// against the same request on an idle scheduler. Everything runs in-process on the batch scheduler (the
// HTTP layer adds no model work).
import Foundation

public struct BatchBenchRow: Sendable, Codable {
    public var streams: Int
    public var generatedTokens: Int
    public var seconds: Double
    public var aggregateTokensPerSecond: Double
    public var perStreamTokensPerSecond: Double
    public var meanTimeToFirstTokenMs: Double
    public var maxTimeToFirstTokenMs: Double

    enum CodingKeys: String, CodingKey {
        case streams, seconds
        case generatedTokens = "generated_tokens"
        case aggregateTokensPerSecond = "aggregate_tps"
        case perStreamTokensPerSecond = "per_stream_tps"
        case meanTimeToFirstTokenMs = "ttft_mean_ms"
        case maxTimeToFirstTokenMs = "ttft_max_ms"
    }
}

public struct BatchBenchReport: Sendable, Codable {
    public var test = "serve"
    public var model: String
    public var threads: Int
    public var promptTokens: Int
    public var tokensPerStream: Int
    public var rows: [BatchBenchRow]
    /// Aggregate tokens/s of each row divided by the single stream's.
    public var speedup: [String: Double]
    public var idleTimeToFirstTokenMs: Double
    public var loadedTimeToFirstTokenMs: Double

    enum CodingKeys: String, CodingKey {
        case test, model, threads, rows, speedup
        case promptTokens = "prompt_tokens"
        case tokensPerStream = "tokens_per_stream"
        case idleTimeToFirstTokenMs = "ttft_idle_ms"
        case loadedTimeToFirstTokenMs = "ttft_under_4_streams_ms"
    }
}

public enum BatchBench {
    public static func run(model: LanguageModel, threads: Int, streams: [Int], tokens: Int, promptTokens: Int,
                           repetitions: Int) throws -> BatchBenchReport {
        var rows: [BatchBenchRow] = []
        for n in streams {
            var best: BatchBenchRow?
            for r in 0..<repetitions {
                let row = try concurrent(model, streams: n, tokens: tokens, promptTokens: promptTokens, salt: r)
                if best == nil || row.aggregateTokensPerSecond > best!.aggregateTokensPerSecond { best = row }
            }
            rows.append(best!)
        }
        let single = rows.first { $0.streams == 1 }?.aggregateTokensPerSecond ?? 0
        var speedup: [String: Double] = [:]
        for row in rows where single > 0 { speedup["\(row.streams)"] = (row.aggregateTokensPerSecond / single * 100).rounded() / 100 }
        let (idle, loaded) = try timeToFirstToken(model, promptTokens: promptTokens, repetitions: max(3, repetitions))
        return BatchBenchReport(model: (model.path as NSString).lastPathComponent, threads: threads,
                                promptTokens: promptTokens, tokensPerStream: tokens, rows: rows, speedup: speedup,
                                idleTimeToFirstTokenMs: idle * 1000, loadedTimeToFirstTokenMs: loaded * 1000)
    }

    /// `streams` requests submitted at once, each `tokens` long (end-of-generation ignored).
    static func concurrent(_ model: LanguageModel, streams n: Int, tokens: Int, promptTokens: Int,
                           salt: Int) throws -> BatchBenchRow {
        let scheduler = BatchScheduler(model: model, slots: n, contextLength: promptTokens + tokens + 8, maxWaiting: n)
        defer { scheduler.shutdown() }
        let done = Finished(count: n)
        let started = Date()
        for i in 0..<n {
            var parameters = GenerationParameters()
            parameters.sampling = .greedy
            parameters.maxTokens = tokens
            parameters.ignoreEndOfGeneration = true
            let prompt = self.prompt(model, tokens: promptTokens, variant: salt * 1000 + i)
            _ = try scheduler.submit(BatchRequest(prompt: prompt, parameters: parameters)) { event in
                if case .finished(let stats, _) = event { done.add(stats) }
            }
        }
        let stats = done.wait()
        let seconds = Date().timeIntervalSince(started)
        let generated = stats.reduce(0) { $0 + $1.generatedTokens }
        let ttfts = stats.map(\.timeToFirstToken)
        return BatchBenchRow(
            streams: n, generatedTokens: generated, seconds: seconds,
            aggregateTokensPerSecond: Double(generated) / seconds,
            perStreamTokensPerSecond: stats.map(\.generationTokensPerSecond).reduce(0, +) / Double(n),
            meanTimeToFirstTokenMs: ttfts.reduce(0, +) / Double(n) * 1000,
            maxTimeToFirstTokenMs: (ttfts.max() ?? 0) * 1000)
    }

    /// Median TTFT of a new request on an idle scheduler, and while 4 other streams are decoding.
    static func timeToFirstToken(_ model: LanguageModel, promptTokens: Int, repetitions: Int) throws -> (Double, Double) {
        let scheduler = BatchScheduler(model: model, slots: 5, contextLength: 4096, maxWaiting: 8)
        defer { scheduler.shutdown() }
        var probe = GenerationParameters()
        probe.sampling = .greedy
        probe.maxTokens = 1
        probe.ignoreEndOfGeneration = true
        func measure(_ variant: Int) throws -> Double {
            let done = Finished(count: 1)
            _ = try scheduler.submit(BatchRequest(prompt: prompt(model, tokens: promptTokens, variant: variant),
                                                  parameters: probe)) { event in
                if case .finished(let stats, _) = event { done.add(stats) }
            }
            return done.wait()[0].timeToFirstToken
        }
        let idle = try (0..<repetitions).map { try measure(50_000 + $0) }
        var background = GenerationParameters()
        background.sampling = .greedy
        background.maxTokens = 3000
        background.ignoreEndOfGeneration = true
        let handles = try (0..<4).map { i in
            try scheduler.submit(BatchRequest(prompt: prompt(model, tokens: 16, variant: 90_000 + i),
                                              parameters: background)) { _ in }
        }
        defer { handles.forEach { $0.cancel() } }
        while scheduler.snapshot.generatedTokens < 4 * 8 { usleep(5_000) }
        let loaded = try (0..<repetitions).map { try measure(60_000 + $0) }
        return (idle.sorted()[idle.count / 2], loaded.sorted()[loaded.count / 2])
    }

    /// A prompt of exactly `tokens` tokens; `variant` makes its start unique (no prefix reuse between runs).
    static func prompt(_ model: LanguageModel, tokens: Int, variant: Int) -> [Int32] {
        let text = "Request \(variant): write a detailed story about a lighthouse keeper and a storm at sea. "
        var ids = model.tokenizer.encode(String(repeating: text, count: 1 + tokens / 8), addSpecial: false,
                                         parseSpecial: false)
        ids = Array(ids.prefix(tokens))
        return ids
    }
}

/// Collects the final stats of `count` sequences; `wait` blocks the calling (non-pool) thread.
final class Finished: @unchecked Sendable {
    private let condition = NSCondition()
    private var stats: [GenerationStats] = []
    private let count: Int

    init(count: Int) { self.count = count }

    func add(_ s: GenerationStats) {
        condition.lock()
        stats.append(s)
        condition.broadcast()
        condition.unlock()
    }

    func wait() -> [GenerationStats] {
        condition.lock()
        defer { condition.unlock() }
        while stats.count < count { condition.wait() }
        return stats
    }
}
