// The forward pass over a batch that mixes several sequences (continuous batching): every row of the
// batch is one token of some sequence, at some position of that sequence's own KV cache. It is the same
// layer loop as a single sequence's (`runLayers`): the projections and the feed-forward network run over
// all rows at once (one pass over the weights for the whole batch, which is what makes serving N streams
// cheaper than N single streams); rotary embedding, the cache store and attention run per row.
import Kernels

/// Where one row of a multi-sequence batch goes: the sequence's cache and the token's position in it.
public struct BatchRow {
    public let cache: KVCache
    public let position: Int

    public init(cache: KVCache, position: Int) {
        self.cache = cache
        self.position = position
    }
}

extension Transformer {
    /// Runs one token per row through the model; row `t` extends `rows[t].cache` at `rows[t].position`.
    /// A sequence's rows must be consecutive positions starting at its `cache.count`. The logits of the
    /// rows listed in `logitRows` land in `scratch.logits`, one vocabulary-wide row each, in that order.
    func forward(batch tokens: UnsafeBufferPointer<Int32>, rows: [BatchRow], logitRows: [Int], scratch s: Scratch) {
        precondition(tokens.count == rows.count && tokens.count <= s.maxBatch && logitRows.count <= s.logitRows)
        for row in rows { precondition(row.position < row.cache.capacity, "position beyond the cache") }
        runLayers(tokens, rows: rows, scratch: s)
        if !logitRows.isEmpty { outputLogits(rows: logitRows, scratch: s) }
    }
}
