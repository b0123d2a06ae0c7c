// SwiGLU: act = silu(gate) ⊙ up, silu(g) = g · σ(g).
// Backward: dup = dact ⊙ silu(g); dgate = dact ⊙ up ⊙ σ(g) · (1 + g · (1 − σ(g))).
// Float runs the C kernels (vectorised exp) in parallel chunks; Double (gradient checks) the loops below.
import CTrainerKernels

enum SwiGLU {
    static func forward<S: TrainScalar>(gate: UnsafePointer<S>, up: UnsafePointer<S>, out: UnsafeMutablePointer<S>,
                                        count: Int) {
        Parallel.chunks(count, minChunk: 1 << 15) { r in
            let n = r.count, i0 = r.lowerBound
            if S.self == Float.self {
                lt_swiglu_f32(floats(gate + i0), floats(up + i0), mutableFloats(out + i0), Int64(n))
                return
            }
            for i in r {
                let g = gate[i]
                out[i] = g / (1 + S.exp(-g)) * up[i]
            }
        }
    }

    static func backward<S: TrainScalar>(dout: UnsafePointer<S>, gate: UnsafePointer<S>, up: UnsafePointer<S>,
                                         dgate: UnsafeMutablePointer<S>, dup: UnsafeMutablePointer<S>, count: Int) {
        Parallel.chunks(count, minChunk: 1 << 15) { r in
            let n = r.count, i0 = r.lowerBound
            if S.self == Float.self {
                lt_swiglu_backward_f32(floats(dout + i0), floats(gate + i0), floats(up + i0), mutableFloats(dgate + i0),
                                       mutableFloats(dup + i0), Int64(n))
                return
            }
            for i in r {
                let g = gate[i]
                let sig = 1 / (1 + S.exp(-g))
                dup[i] = dout[i] * g * sig
                dgate[i] = dout[i] * up[i] * sig * (1 + g * (1 - sig))
            }
        }
    }
}

/// The Float view of a pointer whose generic type is Float (checked by the caller with `S.self == Float.self`).
@inline(__always) func floats<S>(_ p: UnsafePointer<S>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always) func floats<S>(_ p: UnsafeMutablePointer<S>) -> UnsafePointer<Float> {
    UnsafeRawPointer(p).assumingMemoryBound(to: Float.self)
}

@inline(__always) func mutableFloats<S>(_ p: UnsafeMutablePointer<S>) -> UnsafeMutablePointer<Float> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self)
}
