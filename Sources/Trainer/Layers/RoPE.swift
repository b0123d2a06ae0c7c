// Rotary position embedding, llama.cpp's NORM mode (what `general.architecture = llama` GGUFs use, and what
// Engine's lk_rope_f32 does with neox = 0): adjacent pairs (x[2i], x[2i+1]) of every head rotate by
// θ = position · base^(−2i / headDim). The backward pass rotates the gradient by −θ.
struct RoPETable<S: TrainScalar> {
    let cos: [S], sin: [S]
    let half: Int

    init(positions: Int, headDim: Int, base: Double) {
        half = headDim / 2
        var c = [S](repeating: 0, count: positions * half), s = c
        for p in 0..<positions {
            for i in 0..<half {
                // In Double then rounded, so Float and Double runs see the same angles up to rounding.
                let theta = Double(p) * Foundation.pow(base, -2 * Double(i) / Double(headDim))
                c[p * half + i] = S(Foundation.cos(theta))
                s[p * half + i] = S(Foundation.sin(theta))
            }
        }
        cos = c
        sin = s
    }

    /// Rotates `heads` heads (`headDim` apart, `stride` between tokens) of `tokens` tokens at positions
    /// 0..<tokens; `inverse` rotates by −θ (the backward pass).
    func apply(_ x: UnsafeMutablePointer<S>, tokens: Int, heads: Int, stride: Int, inverse: Bool) {
        cos.withUnsafeBufferPointer { cs in
            sin.withUnsafeBufferPointer { sn in
                for t in 0..<tokens {
                    for h in 0..<heads {
                        let v = x + t * stride + h * half * 2
                        for i in 0..<half {
                            let c = cs[t * half + i], s = inverse ? -sn[t * half + i] : sn[t * half + i]
                            let x0 = v[2 * i], x1 = v[2 * i + 1]
                            v[2 * i] = x0 * c - x1 * s
                            v[2 * i + 1] = x0 * s + x1 * c
                        }
                    }
                }
            }
        }
    }
}

import Foundation
