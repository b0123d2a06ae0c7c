// Attention for a batch of rows, each a token at some position of some sequence's cache: per-head Q/K
// norms, rotary embedding, writing K/V into the fp16 cache, then causal (optionally sliding-window)
// softmax attention of every query head over that row's cached positions. Also the final norm and
// output projection.
import CKernels
import Foundation
import Kernels

extension Transformer {
    func positionAndStore(layer l: Int, weights w: LayerWeights, rows: [BatchRow], scratch s: Scratch) {
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
    func attend(layer l: Int, rows: [BatchRow], scratch s: Scratch) {
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

    /// Final norm and output projection of the listed rows (gathered) into `scratch.logits`, one
    /// vocabulary-wide row each, in that order.
    func outputLogits(rows: [Int], scratch s: Scratch) {
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
}
