// One conversation's state on a model: the KV cache, the tokens it holds, and the working memory.
// Prompts are processed in batches; a new prompt that shares a prefix with what the cache holds only
// processes the new tokens (a multi-turn chat never re-reads its history).
import Foundation

public final class InferenceSession: @unchecked Sendable {  // used by one thread at a time
    public let model: Transformer
    public let cache: KVCache
    let scratch: Scratch
    /// Tokens whose keys and values are in the cache, in order.
    public private(set) var tokens: [Int32] = []
    /// Tokens run through the model by the last `prefill` (the rest came from the cache).
    public private(set) var lastProcessedCount = 0
    public static let defaultBatchSize = 512

    public init(model: Transformer, contextLength: Int, batchSize: Int = InferenceSession.defaultBatchSize,
                logitRows: Int = 16) {
        self.model = model
        cache = KVCache(config: model.config, capacity: contextLength)
        scratch = Scratch(config: model.config, maxBatch: min(batchSize, contextLength), logitRows: logitRows)
    }

    public var contextLength: Int { cache.capacity }
    public var vocabularySize: Int { model.config.vocabularySize }
    /// Logits of the last evaluated position.
    public var logits: UnsafeMutablePointer<Float> { scratch.logits }

    /// Forgets everything (the next prompt is processed from scratch).
    public func reset() {
        tokens.removeAll(keepingCapacity: true)
        cache.truncate(to: 0)
    }

    /// Makes the cache hold exactly `prompt` and leaves the last position's logits in `logits`.
    /// Reuses the longest common prefix with what the cache already holds.
    public func prefill(_ prompt: [Int32]) throws {
        guard !prompt.isEmpty else { throw EngineError.promptTooLong(tokens: 0, limit: contextLength) }
        guard prompt.count <= contextLength else {
            throw EngineError.promptTooLong(tokens: prompt.count, limit: contextLength)
        }
        try validate(prompt)
        var common = zip(tokens, prompt).prefix { $0 == $1 }.count
        // At least the last token is evaluated again so its logits are fresh.
        common = min(common, prompt.count - 1)
        tokens.removeLast(tokens.count - common)
        cache.truncate(to: common)
        lastProcessedCount = prompt.count - common
        try evaluate(Array(prompt[common...]), logits: .last)
    }

    /// Appends `newTokens` to the context (batched) and computes logits as requested.
    public func evaluate(_ newTokens: [Int32], logits request: LogitsRequest) throws {
        guard tokens.count + newTokens.count <= contextLength else {
            throw EngineError.contextFull(used: tokens.count + newTokens.count, limit: contextLength)
        }
        try validate(newTokens)
        let batch = scratch.maxBatch
        var offset = 0
        try newTokens.withUnsafeBufferPointer { all in
            while offset < all.count {
                try Task.checkCancellationIfInTask()
                let n = min(batch, all.count - offset)
                let slice = UnsafeBufferPointer(rebasing: all[offset..<(offset + n)])
                let isLast = offset + n == all.count
                let chunkRequest: LogitsRequest
                switch request {
                case .all(let body):
                    let base = offset
                    chunkRequest = .all { row, count, logits in body(base + row, count, logits) }
                case .last: chunkRequest = isLast ? .last : .none
                case .none: chunkRequest = .none
                }
                model.forward(slice, cache: cache, scratch: scratch, logits: chunkRequest)
                offset += n
            }
        }
        tokens.append(contentsOf: newTokens)
    }

    /// Drops the oldest tokens after the first `keep` to make room, re-processing what remains
    /// (positions change, so cached keys cannot be reused). Returns how many tokens were dropped.
    @discardableResult
    public func shiftContext(keep: Int, discard: Int) throws -> Int {
        let keep = min(keep, tokens.count)
        let discard = min(discard, tokens.count - keep)
        guard discard > 0 else { return 0 }
        let kept = Array(tokens[..<keep]) + Array(tokens[(keep + discard)...])
        reset()
        try prefill(kept)
        return discard
    }

    private func validate(_ tokens: [Int32]) throws {
        let n = Int32(vocabularySize)
        if let bad = tokens.first(where: { $0 < 0 || $0 >= n }) { throw EngineError.invalidToken(bad) }
    }
}

extension Task where Success == Never, Failure == Never {
    /// Throws CancellationError when called inside a cancelled task; a no-op on plain threads.
    static func checkCancellationIfInTask() throws {
        if Task.isCancelled { throw CancellationError() }
    }
}
