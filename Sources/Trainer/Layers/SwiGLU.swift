// SwiGLU: act = silu(gate) ⊙ up, silu(g) = g · σ(g).
// Backward: dup = dact ⊙ silu(g); dgate = dact ⊙ up ⊙ σ(g) · (1 + g · (1 − σ(g))).
enum SwiGLU {
    static func forward<S: TrainScalar>(gate: UnsafePointer<S>, up: UnsafePointer<S>, out: UnsafeMutablePointer<S>,
                                        count: Int) {
        for i in 0..<count {
            let g = gate[i]
            out[i] = g / (1 + S.exp(-g)) * up[i]
        }
    }

    static func backward<S: TrainScalar>(dout: UnsafePointer<S>, gate: UnsafePointer<S>, up: UnsafePointer<S>,
                                         dgate: UnsafeMutablePointer<S>, dup: UnsafeMutablePointer<S>, count: Int) {
        for i in 0..<count {
            let g = gate[i]
            let sig = 1 / (1 + S.exp(-g))
            dup[i] = dout[i] * g * sig
            dgate[i] = dout[i] * up[i] * sig * (1 + g * (1 - sig))
        }
    }
}
