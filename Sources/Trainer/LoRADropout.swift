// LoRA dropout: the adapter branch's input is x ⊙ m, m = 0 with probability p and 1/(1-p) otherwise (inverted
// dropout, so the expected input is x and evaluation needs no rescaling). Masks are a pure function of a seed:
// the training loop derives one per (run seed, step, micro-batch) and the model one per layer and projection
// from it, so a resumed run draws exactly the masks an uninterrupted run would.

enum LoRADropout {
    /// Fills `keep` with the mask drawn from `seed` and writes x ⊙ m into `out` (count elements).
    static func apply<S: TrainScalar>(_ x: UnsafePointer<S>, count: Int, p: Double, seed: UInt64,
                                      keep: UnsafeMutablePointer<Bool>, into out: UnsafeMutablePointer<S>) {
        var random = SplitMix64(seed: seed)
        // Dropped when a 53-bit uniform integer falls below p · 2⁵³.
        let threshold = UInt64(p * 9_007_199_254_740_992)
        let scale = S(1 / (1 - p))
        for i in 0..<count {
            let kept = random.next() >> 11 >= threshold
            keep[i] = kept
            out[i] = kept ? x[i] * scale : 0
        }
    }

    /// dx += g ⊙ m for the mask in `keep`.
    static func addMasked<S: TrainScalar>(_ g: UnsafePointer<S>, count: Int, p: Double, keep: UnsafePointer<Bool>,
                                          to dx: UnsafeMutablePointer<S>) {
        let scale = S(1 / (1 - p))
        for i in 0..<count where keep[i] { dx[i] += g[i] * scale }
    }

    /// A well-mixed seed from a base seed and a few indices (SplitMix64's output function over each in turn).
    static func mix(_ seed: UInt64, _ values: Int...) -> UInt64 {
        var state = SplitMix64(seed: seed)
        var result = state.next()
        for v in values {
            state = SplitMix64(seed: result ^ UInt64(bitPattern: Int64(v)))
            result = state.next()
        }
        return result
    }
}

extension LlamaModel {
    /// Sets the dropout seed of every adapter for the next forward/backward (nil: no dropout, as in evaluation).
    /// Each layer's projection gets a seed of its own, mixed from `seed`, its layer and its position.
    public func setLoRADropout(seed: UInt64?) {
        for (l, block) in blocks.enumerated() {
            for (i, linear) in block.linears.enumerated() {
                linear.dropoutSeed = seed.map { LoRADropout.mix($0, l, i) }
            }
        }
    }
}
