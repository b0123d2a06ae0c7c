// The forward pass over a batch that mixes several sequences (continuous batching): every row of the
// batch is one token of some sequence, at some position of that sequence's own KV cache. The projections
// and the feed-forward network run over all rows at once (one pass over the weights for the whole batch,
// which is what makes serving N streams cheaper than N single streams); rotary embedding, the cache store
// and attention run per row against the row's own cache.
//
// The single-sequence `forward` is left untouched so its numerics stay exactly as they are.
//
// Glossary (local names): T rows in the batch, C embedding width, F feed-forward width, H query heads,
// KVH key/value heads, D head dimension.
import CKernels
import Foundation
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
        let c = config
        let T = tokens.count, C = c.embeddingLength, F = c.feedForwardLength
        precondition(T == rows.count && T <= s.maxBatch && logitRows.count <= s.logitRows)
        for row in rows { precondition(row.position < row.cache.capacity, "position beyond the cache") }

        embed(tokens, into: s.hidden)
        for (l, w) in weights.layers.enumerated() {
            rmsNorm(s.hidden, w.attentionNorm, into: s.normed, tokens: T)
            s.activations.prepare(s.normed, tokens: T, columns: C, type: w.query.activationType, pool: pool)
            project([(w.query, s.query), (w.key, s.key), (w.value, s.value)], tokens: T, input: s.normed, scratch: s)
            applyLoRA(.query, layer: l, input: s.normed, into: s.query, tokens: T)
            applyLoRA(.key, layer: l, input: s.normed, into: s.key, tokens: T)
            applyLoRA(.value, layer: l, input: s.normed, into: s.value, tokens: T)
            addBias(w.queryBias, to: s.query, tokens: T)
            addBias(w.keyBias, to: s.key, tokens: T)
            addBias(w.valueBias, to: s.value, tokens: T)
            positionAndStore(layer: l, weights: w, rows: rows, scratch: s)
            attend(layer: l, rows: rows, scratch: s)
            MatMul.multiply(w.output, s.attention, tokens: T, into: s.projected, activations: s.activations, pool: pool)
            applyLoRA(.output, layer: l, input: s.attention, into: s.projected, tokens: T)
            if let post = w.postAttentionNorm { rmsNorm(s.projected, post, into: s.projected, tokens: T) }
            lk_add_f32(s.hidden, s.projected, s.hidden, Int64(T * C))

            rmsNorm(s.hidden, w.feedForwardNorm, into: s.normed, tokens: T)
            s.activations.prepare(s.normed, tokens: T, columns: C, type: w.gate.activationType, pool: pool)
            project([(w.gate, s.gate), (w.up, s.up)], tokens: T, input: s.normed, scratch: s)
            applyLoRA(.gate, layer: l, input: s.normed, into: s.gate, tokens: T)
            applyLoRA(.up, layer: l, input: s.normed, into: s.up, tokens: T)
            switch c.traits.activation {
            case .silu: lk_swiglu_f32(s.gate, s.up, s.activated, Int64(T * F))
            case .gelu: lk_geglu_f32(s.gate, s.up, s.activated, Int64(T * F))
            }
            MatMul.multiply(w.down, s.activated, tokens: T, into: s.projected, activations: s.activations, pool: pool)
            applyLoRA(.down, layer: l, input: s.activated, into: s.projected, tokens: T)
            if let post = w.postFeedForwardNorm { rmsNorm(s.projected, post, into: s.projected, tokens: T) }
            lk_add_f32(s.hidden, s.projected, s.hidden, Int64(T * C))
        }
        for row in rows { row.cache.count = max(row.cache.count, row.position + 1) }
        if !logitRows.isEmpty { outputLogits(rows: logitRows, scratch: s) }
    }

    /// Final norm and output projection of the listed rows (gathered) into `scratch.logits`.
    private func outputLogits(rows: [Int], scratch s: Scratch) {
        let c = config
        let C = c.embeddingLength, V = c.vocabularySize
        for (i, row) in rows.enumerated() {
            lk_rmsnorm_f32(s.hidden + row * C, weights.outputNorm.pointer, 0, c.normEpsilon, s.normed + i * C, Int64(C))
        }
        MatMul.multiply(weights.output, s.normed, tokens: rows.count, into: s.logits, activations: s.activations,
                        pool: pool)
        if let cap = c.finalLogitSoftcap, cap > 0 {
            for i in 0..<(rows.count * V) { s.logits[i] = cap * tanhf(s.logits[i] / cap) }
        }
    }

    private func positionAndStore(layer l: Int, weights w: LayerWeights, rows: [BatchRow], scratch s: Scratch) {
        let c = config
        let D = c.headDim, H = c.headCount, KVH = c.kvHeadCount
        let neox: Int32 = c.traits.ropeStyle == .halfSplit ? 1 : 0
        let base = c.ropeBase(layer: l)
        let eps = c.normEpsilon
        let kvLength = c.kvLength, valueLength = c.kvHeadCount * c.valueHeadDim
        let query = s.query, key = s.key, value = s.value
        let queryNorm = w.queryNorm, keyNorm = w.keyNorm
        let ropeDimensions = c.ropeDimensions, ropeScale = c.ropeScale
        pool.parallelFor(rows.count) { t in
            let q = query + t * c.queryLength
            let k = key + t * kvLength
            if let queryNorm {
                for h in 0..<H { lk_rmsnorm_f32(q + h * D, queryNorm.pointer, 0, eps, q + h * D, Int64(D)) }
            }
            if let keyNorm {
                for h in 0..<KVH { lk_rmsnorm_f32(k + h * D, keyNorm.pointer, 0, eps, k + h * D, Int64(D)) }
            }
            let row = rows[t]
            let position = Float(row.position)
            lk_rope_f32(q, Int64(H), Int64(D), Int64(ropeDimensions), position, base, ropeScale, neox)
            lk_rope_f32(k, Int64(KVH), Int64(D), Int64(ropeDimensions), position, base, ropeScale, neox)
            lk_f32_to_f16_row_fast(k, row.cache.keyRow(layer: l, position: row.position), Int64(kvLength))
            lk_f32_to_f16_row_fast(value + t * valueLength, row.cache.valueRow(layer: l, position: row.position),
                                   Int64(valueLength))
        }
    }

    /// Causal attention of every row over its own sequence's cached positions 0...position.
    private func attend(layer l: Int, rows: [BatchRow], scratch s: Scratch) {
        let c = config
        let D = c.headDim, VD = c.valueHeadDim, H = c.headCount
        let groupSize = c.headCount / c.kvHeadCount
        let window = c.usesSlidingWindow(layer: l) ? c.slidingWindow : nil
        let scale = c.attentionScale
        let query = s.query, out = s.attention
        pool.parallelFor(rows.count * H) { task in
            let t = task / H, h = task % H
            let row = rows[t]
            let position = row.position
            let first = window.map { max(0, position - $0 + 1) } ?? 0
            let kvHead = h / groupSize
            let q = query + t * c.queryLength + h * D
            let o = out + t * H * VD + h * VD
            let keys = row.cache.keyRow(layer: l, position: first) + kvHead * D
            let values = row.cache.valueRow(layer: l, position: first) + kvHead * VD
            lk_attention_head(q, keys, Int64(row.cache.keyLength), values, Int64(row.cache.valueLength),
                              Int64(position - first + 1), Int64(D), Int64(VD), scale, o)
        }
    }
}
