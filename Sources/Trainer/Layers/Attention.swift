// Causal grouped-query attention over B sequences of T tokens, one (sequence, head) at a time with GEMMs:
//   S = scale · Q Kᵀ (T×T), P = softmax over j ≤ i (causal), O = P V.
// Query head h reads key/value head h / (heads / kvHeads). Forward keeps P for the backward pass:
//   dP = dO Vᵀ, dV += Pᵀ dO, dS = P ⊙ (dP − rowsum(dP ⊙ P)) · scale, dQ = dS K, dK += dSᵀ Q.
// Layouts: q/dq [B·T × heads·D], k/v/dk/dv [B·T × kvHeads·D], probs [B × heads × T × T].
struct AttentionShape {
    let batch: Int, tokens: Int, heads: Int, kvHeads: Int, headDim: Int
    var queryWidth: Int { heads * headDim }
    var kvWidth: Int { kvHeads * headDim }
}

enum Attention {
    static func forward<S: TrainScalar>(_ s: AttentionShape, q: UnsafePointer<S>, k: UnsafePointer<S>,
                                        v: UnsafePointer<S>, probs: UnsafeMutablePointer<S>,
                                        out: UnsafeMutablePointer<S>) {
        let T = s.tokens, D = s.headDim, QW = s.queryWidth, KW = s.kvWidth
        let group = s.heads / s.kvHeads
        let scale = 1 / S(D).squareRoot()
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let kh = h / group
                let Q = q + b * T * QW + h * D, K = k + b * T * KW + kh * D, V = v + b * T * KW + kh * D
                let P = probs + (b * s.heads + h) * T * T
                S.gemm(transA: false, transB: true, m: T, n: T, k: D, alpha: scale, a: Q, lda: QW, b: K, ldb: KW,
                       beta: 0, c: P, ldc: T)
                for i in 0..<T {
                    let row = P + i * T
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
                S.gemm(transA: false, transB: false, m: T, n: D, k: T, alpha: 1, a: P, lda: T, b: V, ldb: KW,
                       beta: 0, c: out + b * T * QW + h * D, ldc: QW)
            }
        }
    }

    /// Writes dq; adds into dk and dv (zero them first). `scratch` holds T×T values.
    static func backward<S: TrainScalar>(_ s: AttentionShape, dout: UnsafePointer<S>, q: UnsafePointer<S>,
                                         k: UnsafePointer<S>, v: UnsafePointer<S>, probs: UnsafePointer<S>,
                                         dq: UnsafeMutablePointer<S>, dk: UnsafeMutablePointer<S>,
                                         dv: UnsafeMutablePointer<S>, scratch dP: UnsafeMutablePointer<S>) {
        let T = s.tokens, D = s.headDim, QW = s.queryWidth, KW = s.kvWidth
        let group = s.heads / s.kvHeads
        let scale = 1 / S(D).squareRoot()
        for b in 0..<s.batch {
            for h in 0..<s.heads {
                let kh = h / group
                let qOffset = b * T * QW + h * D, kvOffset = b * T * KW + kh * D
                let P = probs + (b * s.heads + h) * T * T
                let dO = dout + qOffset
                S.gemm(transA: false, transB: true, m: T, n: T, k: D, alpha: 1, a: dO, lda: QW, b: v + kvOffset,
                       ldb: KW, beta: 0, c: dP, ldc: T)
                S.gemm(transA: true, transB: false, m: T, n: D, k: T, alpha: 1, a: P, lda: T, b: dO, ldb: QW,
                       beta: 1, c: dv + kvOffset, ldc: KW)
                for i in 0..<T {
                    let p = P + i * T, d = dP + i * T
                    var dot: S = 0
                    for j in 0...i { dot += p[j] * d[j] }
                    for j in 0...i { d[j] = p[j] * (d[j] - dot) * scale }
                    for j in (i + 1)..<T { d[j] = 0 }
                }
                S.gemm(transA: false, transB: false, m: T, n: D, k: T, alpha: 1, a: dP, lda: T, b: k + kvOffset,
                       ldb: KW, beta: 0, c: dq + qOffset, ldc: QW)
                S.gemm(transA: true, transB: false, m: T, n: D, k: T, alpha: 1, a: dP, lda: T, b: q + qOffset,
                       ldb: QW, beta: 1, c: dk + kvOffset, ldc: KW)
            }
        }
    }
}
