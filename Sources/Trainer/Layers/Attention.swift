// Causal grouped-query attention over B sequences of T tokens with GEMMs:
//   S = scale · Q Kᵀ (T×T), P = softmax over j ≤ i (causal), O = P V.
// Query head h reads key/value head h / (heads / kvHeads). Forward keeps P for the backward pass:
//   dP = dO Vᵀ, dV += Pᵀ dO, dS = P ⊙ (dP − rowsum(dP ⊙ P)) · scale, dQ = dS K, dK += dSᵀ Q.
// Layouts: q/dq [B·T × heads·D], k/v/dk/dv [B·T × kvHeads·D], probs [B × heads × T × T].
//
// Speed: the (sequence, kv head) pairs run in parallel (each writes only its own slices of out/dq/dk/dv, and
// the query heads sharing a kv head run in order inside one task), and rows go in blocks of `block` queries
// whose products stop at the block's last key: the causal mask makes the rest zero, so ~40% of the work of
// full T×T products is skipped at T = 256.
struct AttentionShape {
    let batch: Int, tokens: Int, heads: Int, kvHeads: Int, headDim: Int
    var queryWidth: Int { heads * headDim }
    var kvWidth: Int { kvHeads * headDim }
}

import CTrainerKernels

enum Attention {
    static let block = 64

    static func forward<S: TrainScalar>(_ s: AttentionShape, q: UnsafePointer<S>, k: UnsafePointer<S>,
                                        v: UnsafePointer<S>, probs: UnsafeMutablePointer<S>,
                                        out: UnsafeMutablePointer<S>) {
        let T = s.tokens, D = s.headDim, QW = s.queryWidth, KW = s.kvWidth
        let group = s.heads / s.kvHeads
        let scale = 1 / S(D).squareRoot()
        Parallel.forEach(s.batch * s.kvHeads) { task in
            let b = task / s.kvHeads, kh = task % s.kvHeads
            for h in (kh * group)..<((kh + 1) * group) {
                let Q = q + b * T * QW + h * D, K = k + b * T * KW + kh * D, V = v + b * T * KW + kh * D
                let P = probs + (b * s.heads + h) * T * T
                let O = out + b * T * QW + h * D
                for i0 in stride(from: 0, to: T, by: block) {
                    let i1 = min(T, i0 + block), rows = i1 - i0
                    S.gemm(transA: false, transB: true, m: rows, n: i1, k: D, alpha: scale, a: Q + i0 * QW, lda: QW,
                           b: K, ldb: KW, beta: 0, c: P + i0 * T, ldc: T)
                    softmaxCausal(P, T: T, rows: i0..<i1)
                    S.gemm(transA: false, transB: false, m: rows, n: D, k: i1, alpha: 1, a: P + i0 * T, lda: T,
                           b: V, ldb: KW, beta: 0, c: O + i0 * QW, ldc: QW)
                }
            }
        }
    }

    /// Writes dq; adds into dk and dv (zero them first). `scratch` holds batch · kvHeads · T² values.
    static func backward<S: TrainScalar>(_ s: AttentionShape, dout: UnsafePointer<S>, q: UnsafePointer<S>,
                                         k: UnsafePointer<S>, v: UnsafePointer<S>, probs: UnsafePointer<S>,
                                         dq: UnsafeMutablePointer<S>, dk: UnsafeMutablePointer<S>,
                                         dv: UnsafeMutablePointer<S>, scratch: UnsafeMutablePointer<S>) {
        let T = s.tokens, D = s.headDim, QW = s.queryWidth, KW = s.kvWidth
        let group = s.heads / s.kvHeads
        let scale = 1 / S(D).squareRoot()
        Parallel.forEach(s.batch * s.kvHeads) { task in
            let b = task / s.kvHeads, kh = task % s.kvHeads
            let dP = scratch + task * T * T
            let kvOffset = b * T * KW + kh * D
            let K = k + kvOffset, V = v + kvOffset, dK = dk + kvOffset, dV = dv + kvOffset
            for h in (kh * group)..<((kh + 1) * group) {
                let qOffset = b * T * QW + h * D
                let P = probs + (b * s.heads + h) * T * T
                let dO = dout + qOffset, Q = q + qOffset, dQ = dq + qOffset
                for i0 in stride(from: 0, to: T, by: block) {
                    let i1 = min(T, i0 + block), rows = i1 - i0
                    S.gemm(transA: false, transB: true, m: rows, n: i1, k: D, alpha: 1, a: dO + i0 * QW, lda: QW,
                           b: V, ldb: KW, beta: 0, c: dP + i0 * T, ldc: T)
                    S.gemm(transA: true, transB: false, m: i1, n: D, k: rows, alpha: 1, a: P + i0 * T, lda: T,
                           b: dO + i0 * QW, ldb: QW, beta: 1, c: dV, ldc: KW)
                    softmaxCausalBackward(P, dP, T: T, scale: scale, rows: i0..<i1)
                    S.gemm(transA: false, transB: false, m: rows, n: D, k: i1, alpha: 1, a: dP + i0 * T, lda: T,
                           b: K, ldb: KW, beta: 0, c: dQ + i0 * QW, ldc: QW)
                    S.gemm(transA: true, transB: false, m: i1, n: D, k: rows, alpha: 1, a: dP + i0 * T, lda: T,
                           b: Q + i0 * QW, ldb: QW, beta: 1, c: dK, ldc: KW)
                }
            }
        }
    }

    /// Softmax of rows `rows` of the T×T matrix p over columns 0...i; later columns set to 0.
    static func softmaxCausal<S: TrainScalar>(_ p: UnsafeMutablePointer<S>, T: Int, rows: Range<Int>) {
        if S.self == Float.self {
            lt_softmax_causal_f32(UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self), Int64(T),
                                  Int64(rows.lowerBound), Int64(rows.upperBound))
            return
        }
        for i in rows {
            let row = p + i * T
            var maxValue = row[0]
            for j in 0...i where row[j] > maxValue { maxValue = row[j] }
            var sum: S = 0
            for j in 0...i {
                let e = S.exp(row[j] - maxValue)
                row[j] = e
                sum += e
            }
            let inv = 1 / sum
            for j in 0...i { row[j] *= inv }
            for j in (i + 1)..<T { row[j] = 0 }
        }
    }

    /// dP → dS = P ⊙ (dP − rowsum(dP ⊙ P)) · scale for rows `rows`, 0 after the diagonal.
    static func softmaxCausalBackward<S: TrainScalar>(_ p: UnsafePointer<S>, _ dP: UnsafeMutablePointer<S>, T: Int,
                                                      scale: S, rows: Range<Int>) {
        if S.self == Float.self {
            lt_softmax_causal_backward_f32(UnsafeRawPointer(p).assumingMemoryBound(to: Float.self),
                                           UnsafeMutableRawPointer(dP).assumingMemoryBound(to: Float.self), Int64(T),
                                           Float(scale), Int64(rows.lowerBound), Int64(rows.upperBound))
            return
        }
        for i in rows {
            let pr = p + i * T, d = dP + i * T
            var dot: S = 0
            for j in 0...i { dot += pr[j] * d[j] }
            for j in 0...i { d[j] = pr[j] * (d[j] - dot) * scale }
            for j in (i + 1)..<T { d[j] = 0 }
        }
    }
}
