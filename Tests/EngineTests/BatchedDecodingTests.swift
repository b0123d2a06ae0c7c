// Continuous batching must not change what a sequence computes: a sequence prefilled and decoded inside a
// batch of 4 (other sequences' rows around it) gets the same greedy tokens, and logits within float noise,
// as the same sequence run alone through the single-sequence path.
import Engine
import Foundation
import LatheTestSupport
import Testing

/// Largest |Δ| allowed between a batched row's logits and the same position run alone. Rows of a batch go
/// through the same kernels in the same order, so only the multi-token matmul tiles may round differently.
let batchedLogitTolerance: Float = 1e-3

@Suite(.serialized) struct BatchedDecodingTests {
    static let steps = 12

    /// Four fixture prompts of different lengths.
    static func prompts() throws -> [[Int32]] {
        let rows = try TestPaths.jsonLines("greedy/smollm2-135m-instruct-q4_1.jsonl")
        return rows.prefix(4).map { ($0["prompt_ids"] as? [Int] ?? []).map(Int32.init) }
    }

    /// Greedy tokens and per-step logits of one prompt decoded alone.
    static func alone(_ prompt: [Int32], model: Transformer) throws -> (tokens: [Int32], logits: [[Float]]) {
        let session = InferenceSession(model: model, contextLength: 128)
        try session.prefill(prompt)
        var tokens: [Int32] = []
        var logits: [[Float]] = []
        for _ in 0..<steps {
            logits.append(Array(UnsafeBufferPointer(start: session.logits, count: session.vocabularySize)))
            let next = Sampler.argmax(session.logits, count: session.vocabularySize)
            tokens.append(next)
            try session.evaluate([next], logits: .last)
        }
        return (tokens, logits)
    }

    @Test func batchOfFourMatchesEachSequenceAlone() throws {
        let model = try LoadedModels.transformer(TestPaths.smollm2)
        let prompts = try Self.prompts()
        #expect(prompts.count == 4 && prompts.allSatisfy { !$0.isEmpty })
        let expected = try prompts.map { try Self.alone($0, model: model) }

        let batch = BatchSession(model: model, maxBatch: 256, maxLogitRows: 4)
        let caches = prompts.map { _ in KVCache(config: model.config, capacity: 128) }
        // Prefill all four prompts in one mixed batch; logits of each prompt's last row.
        var tokens: [Int32] = [], rows: [BatchRow] = [], logitRows: [Int] = []
        for (cache, prompt) in zip(caches, prompts) {
            for (i, token) in prompt.enumerated() {
                tokens.append(token)
                rows.append(BatchRow(cache: cache, position: i))
            }
            logitRows.append(rows.count - 1)
        }
        try batch.evaluate(tokens, rows: rows, logitRows: logitRows)

        var generated = Array(repeating: [Int32](), count: 4)
        var maxDelta: Float = 0
        for step in 0..<Self.steps {
            var next: [Int32] = []
            for s in 0..<4 {
                let logits = batch.logits(s)
                for v in 0..<batch.vocabularySize {
                    maxDelta = max(maxDelta, abs(logits[v] - expected[s].logits[step][v]))
                }
                next.append(Sampler.argmax(logits, count: batch.vocabularySize))
            }
            for s in 0..<4 { generated[s].append(next[s]) }
            let decodeRows = caches.map { BatchRow(cache: $0, position: $0.count) }
            try batch.evaluate(next, rows: decodeRows, logitRows: [0, 1, 2, 3])
        }
        for s in 0..<4 { #expect(generated[s] == expected[s].tokens, "sequence \(s)") }
        #expect(maxDelta < batchedLogitTolerance, "max |Δ logit| batched vs alone = \(maxDelta)")
        #expect(caches.map(\.count) == prompts.map { $0.count + Self.steps })
    }

    @Test func schedulerStreamsEqualSingleStreamGeneration() throws {
        let model = try LanguageModel(path: TestPaths.smollm2, threads: 2)
        let prompts = try Self.prompts()
        var parameters = GenerationParameters()
        parameters.sampling = .greedy
        parameters.maxTokens = 10
        parameters.ignoreEndOfGeneration = true
        let generator = TextGenerator(model: model, contextLength: 128)
        let expected = try prompts.map { prompt -> [Int32] in
            var ids: [Int32] = []
            _ = try generator.generate(prompt: prompt, parameters: parameters) { _, id in
                if id >= 0 { ids.append(id) }
                return true
            }
            return ids
        }

        let scheduler = BatchScheduler(model: model, slots: 4, contextLength: 128, maxWaiting: 8, prefillChunk: 16)
        defer { scheduler.shutdown() }
        let collected = Collected(count: prompts.count)
        for (i, prompt) in prompts.enumerated() {
            _ = try scheduler.submit(BatchRequest(prompt: prompt, parameters: parameters)) { event in
                collected.record(i, event)
            }
        }
        #expect(collected.waitUntilFinished(timeout: 60))
        let result = collected.tokens
        for i in prompts.indices { #expect(result[i] == expected[i], "request \(i)") }
        let snapshot = scheduler.snapshot
        #expect(snapshot.finishedSequences == 4 && snapshot.activeSequences == 0 && snapshot.generatedTokens == 40)
    }

    @Test func queueLimitAndCancellation() throws {
        let model = try LanguageModel(path: TestPaths.smollm2, threads: 2)
        var parameters = GenerationParameters()
        parameters.maxTokens = 100_000
        parameters.ignoreEndOfGeneration = true
        let scheduler = BatchScheduler(model: model, slots: 1, contextLength: 64, maxWaiting: 1)
        defer { scheduler.shutdown() }
        let collected = Collected(count: 2)
        let running = try scheduler.submit(BatchRequest(prompt: [1, 2, 3], parameters: parameters)) {
            collected.record(0, $0)
        }
        let deadline = Date(timeIntervalSinceNow: 30)
        while scheduler.snapshot.activeSequences == 0 && Date() < deadline { usleep(1_000) }
        let queued = try scheduler.submit(BatchRequest(prompt: [4, 5, 6], parameters: parameters)) {
            collected.record(1, $0)
        }
        #expect(throws: BatchError.queueFull(limit: 1)) {
            _ = try scheduler.submit(BatchRequest(prompt: [7], parameters: parameters)) { _ in }
        }
        #expect(throws: BatchError.promptTooLong(tokens: 64, limit: 64)) {
            _ = try scheduler.submit(BatchRequest(prompt: Array(repeating: 1, count: 64), parameters: parameters)) { _ in }
        }
        queued.cancel()
        running.cancel()
        #expect(collected.waitUntilFinished(timeout: 30))
        #expect(collected.stopReasons == [.cancelled, .cancelled])
        #expect(scheduler.snapshot.cancelledSequences == 2)
    }
}

/// Events of several sequences, collected from the scheduler thread; the test thread waits on it.
final class Collected: @unchecked Sendable {
    private let condition = NSCondition()
    private var ids: [[Int32]]
    private var reasons: [StopReason?]

    init(count: Int) {
        ids = Array(repeating: [], count: count)
        reasons = Array(repeating: nil, count: count)
    }

    func record(_ i: Int, _ event: BatchEvent) {
        condition.lock()
        defer { condition.unlock() }
        switch event {
        case .admitted: break
        case .text(_, let token): if token >= 0 { ids[i].append(token) }
        case .finished(let stats, _):
            reasons[i] = stats.stopReason
            condition.broadcast()
        }
    }

    func waitUntilFinished(timeout: TimeInterval) -> Bool {
        let deadline = Date(timeIntervalSinceNow: timeout)
        condition.lock()
        defer { condition.unlock() }
        while reasons.contains(where: { $0 == nil }) {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }

    var tokens: [[Int32]] { condition.lock(); defer { condition.unlock() }; return ids }
    var stopReasons: [StopReason] { condition.lock(); defer { condition.unlock() }; return reasons.compactMap { $0 } }
}
