// A linear layer y = x · Wᵀ (+ LoRA: scale · (x · Aᵀ) · Bᵀ) with its handwritten backward pass.
//
// The weight W [outputs × inputs] is either
//   - `.dense(Tensor)`: f32/f64 values; trained when the tensor has gradients, frozen when it has none;
//   - `.quantized(WeightMatrix)`: a frozen GGUF matrix (Q4_0, Q8_0, K-quants, F16...) dequantized on the fly,
//     `tileRows` rows at a time, into a small buffer that feeds the same GEMM (QLoRA-style: memory stays
//     at the quantized size; gradients flow through to x but W itself is never updated).
// An optional `LoRA` adapter (A [rank × inputs], B [outputs × rank], scale) adds a trainable low-rank update;
// its gradients are accumulated into A's and B's gradient buffers. Attach it with `attach(_:maxRows:)`.
// Adapter dropout (train-time only): while `dropoutSeed` is set and the adapter's `dropout` p > 0, the adapter
// branch sees x ⊙ m with m = 0 (probability p) or 1/(1-p), the mask drawn from the seed (see LoRADropout.swift);
// the base path always sees x. Without a seed (evaluation, inference) there is no dropout.
//
// Shapes: x [rows × inputs], y [rows × outputs], row-major.
import Kernels

public enum LinearWeight<S: TrainScalar>: @unchecked Sendable {
    case dense(Tensor<S>)
    case quantized(WeightMatrix)
}

public struct LoRA<S: TrainScalar>: @unchecked Sendable {
    /// [rank × inputs]
    public var a: Tensor<S>
    /// [outputs × rank]
    public var b: Tensor<S>
    public var rank: Int
    public var scale: S
    /// Probability of zeroing an input of the adapter branch while training (0 ≤ p < 1).
    public var dropout: Double

    public init(a: Tensor<S>, b: Tensor<S>, rank: Int, scale: S, dropout: Double = 0) {
        precondition(dropout >= 0 && dropout < 1, "LoRA dropout must be in [0, 1)")
        self.a = a
        self.b = b
        self.rank = rank
        self.scale = scale
        self.dropout = dropout
    }
}

public final class Linear<S: TrainScalar>: @unchecked Sendable {  // used by one training thread
    public let name: String
    public let inputs: Int
    public let outputs: Int
    public let weight: LinearWeight<S>
    public private(set) var lora: LoRA<S>?
    /// Rows of a quantized W dequantized per GEMM.
    public static var tileRows: Int { 256 }
    private var tile: UnsafeMutablePointer<S>?
    private var tileFloat: UnsafeMutablePointer<Float>?
    /// x · Aᵀ saved by forward for the LoRA backward [maxRows × rank], and its gradient.
    private var loraHidden: UnsafeMutablePointer<S>?
    private var loraHiddenGrad: UnsafeMutablePointer<S>?
    private var loraRows = 0
    /// Seed of the adapter's dropout mask for the next forward passes (nil: no dropout).
    public var dropoutSeed: UInt64?
    /// The adapter branch's input after dropout, x ⊙ m [maxRows × inputs], and m's keep flags (dropout only).
    private var dropped: UnsafeMutablePointer<S>?
    private var keep: UnsafeMutablePointer<Bool>?
    /// Whether the last forward applied dropout (so backward uses `dropped` and `keep`).
    private var droppedLast = false

    public init(name: String, inputs: Int, outputs: Int, weight: LinearWeight<S>) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
        self.weight = weight
        if case .quantized(let w) = weight {
            precondition(w.rows == outputs && w.columns == inputs, "\(name): quantized shape mismatch")
            let n = min(Self.tileRows, outputs) * inputs
            tile = .allocate(capacity: n)
            if S.self != Float.self { tileFloat = .allocate(capacity: n) }
        } else if case .dense(let t) = weight {
            precondition(t.count == outputs * inputs, "\(name): dense shape mismatch")
        }
    }

    deinit {
        tile?.deallocate()
        tileFloat?.deallocate()
        loraHidden?.deallocate()
        loraHiddenGrad?.deallocate()
        dropped?.deallocate()
        keep?.deallocate()
    }

    /// Adds a low-rank adapter; `maxRows` is the most rows a forward pass will see.
    public func attach(_ adapter: LoRA<S>, maxRows: Int) {
        precondition(adapter.a.count == adapter.rank * inputs && adapter.b.count == outputs * adapter.rank,
                     "\(name): LoRA shapes do not match the layer")
        loraHidden?.deallocate()
        loraHiddenGrad?.deallocate()
        dropped?.deallocate()
        keep?.deallocate()
        lora = adapter
        loraRows = maxRows
        loraHidden = .allocate(capacity: maxRows * adapter.rank)
        loraHiddenGrad = .allocate(capacity: maxRows * adapter.rank)
        dropped = adapter.dropout > 0 ? .allocate(capacity: maxRows * inputs) : nil
        keep = adapter.dropout > 0 ? .allocate(capacity: maxRows * inputs) : nil
        droppedLast = false
    }

    /// Whether W receives gradients.
    public var trainsWeight: Bool {
        if case .dense(let t) = weight { return t.grads != nil }
        return false
    }

    /// y = x · Wᵀ (+ LoRA term). y is overwritten.
    public func forward(_ x: UnsafePointer<S>, rows: Int, into y: UnsafeMutablePointer<S>) {
        switch weight {
        case .dense(let w):
            S.parallelGemm(transA: false, transB: true, m: rows, n: outputs, k: inputs, alpha: 1, a: x, lda: inputs,
                   b: w.values, ldb: inputs, beta: 0, c: y, ldc: outputs)
        case .quantized:
            forEachTile { r0, n, tile in
                S.parallelGemm(transA: false, transB: true, m: rows, n: n, k: inputs, alpha: 1, a: x, lda: inputs,
                       b: tile, ldb: inputs, beta: 0, c: y + r0, ldc: outputs)
            }
        }
        if let lora, let h = loraHidden {
            precondition(rows <= loraRows)
            var input = x
            droppedLast = false
            if lora.dropout > 0, let seed = dropoutSeed, let dropped, let keep {
                LoRADropout.apply(x, count: rows * inputs, p: lora.dropout, seed: seed, keep: keep, into: dropped)
                input = UnsafePointer(dropped)
                droppedLast = true
            }
            S.parallelGemm(transA: false, transB: true, m: rows, n: lora.rank, k: inputs, alpha: 1, a: input, lda: inputs,
                   b: lora.a.values, ldb: inputs, beta: 0, c: h, ldc: lora.rank)
            S.parallelGemm(transA: false, transB: true, m: rows, n: outputs, k: lora.rank, alpha: lora.scale, a: h,
                   lda: lora.rank, b: lora.b.values, ldb: lora.rank, beta: 1, c: y, ldc: outputs)
        }
    }

    /// Given dy = ∂L/∂y: dx = dy · W (+ LoRA path), overwritten when `accumulate` is false, added otherwise;
    /// dW += dyᵀ · x when W is trainable; dA, dB likewise for an adapter. `x` is the forward input.
    public func backward(x: UnsafePointer<S>, dy: UnsafePointer<S>, rows: Int, dx: UnsafeMutablePointer<S>?,
                         accumulate: Bool) {
        if case .dense(let w) = weight, let gw = w.grads {
            S.parallelGemm(transA: true, transB: false, m: outputs, n: inputs, k: rows, alpha: 1, a: dy, lda: outputs,
                   b: x, ldb: inputs, beta: 1, c: gw, ldc: inputs)
        }
        if let dx {
            switch weight {
            case .dense(let w):
                S.parallelGemm(transA: false, transB: false, m: rows, n: inputs, k: outputs, alpha: 1, a: dy, lda: outputs,
                       b: w.values, ldb: inputs, beta: accumulate ? 1 : 0, c: dx, ldc: inputs)
            case .quantized:
                var first = !accumulate
                forEachTile { r0, n, tile in
                    S.parallelGemm(transA: false, transB: false, m: rows, n: inputs, k: n, alpha: 1, a: dy + r0,
                           lda: outputs, b: tile, ldb: inputs, beta: first ? 0 : 1, c: dx, ldc: inputs)
                    first = false
                }
            }
        }
        if let lora, let h = loraHidden, let dh = loraHiddenGrad {
            // y += s · h · Bᵀ with h = x̃ · Aᵀ, x̃ = x ⊙ m (dropout) or x
            let input = droppedLast ? UnsafePointer(dropped!) : x
            if let gb = lora.b.grads {
                S.parallelGemm(transA: true, transB: false, m: outputs, n: lora.rank, k: rows, alpha: lora.scale, a: dy,
                       lda: outputs, b: h, ldb: lora.rank, beta: 1, c: gb, ldc: lora.rank)
            }
            S.parallelGemm(transA: false, transB: false, m: rows, n: lora.rank, k: outputs, alpha: lora.scale, a: dy,
                   lda: outputs, b: lora.b.values, ldb: lora.rank, beta: 0, c: dh, ldc: lora.rank)
            if let ga = lora.a.grads {
                S.parallelGemm(transA: true, transB: false, m: lora.rank, n: inputs, k: rows, alpha: 1, a: dh,
                       lda: lora.rank, b: input, ldb: inputs, beta: 1, c: ga, ldc: inputs)
            }
            if let dx, droppedLast, let dropped, let keep {
                // dx += (dh · A) ⊙ m, with dh · A computed into x̃'s buffer (x̃ is not needed any more)
                S.parallelGemm(transA: false, transB: false, m: rows, n: inputs, k: lora.rank, alpha: 1, a: dh,
                       lda: lora.rank, b: lora.a.values, ldb: inputs, beta: 0, c: dropped, ldc: inputs)
                LoRADropout.addMasked(dropped, count: rows * inputs, p: lora.dropout, keep: keep, to: dx)
                droppedLast = false
            } else if let dx {
                S.parallelGemm(transA: false, transB: false, m: rows, n: inputs, k: lora.rank, alpha: 1, a: dh,
                       lda: lora.rank, b: lora.a.values, ldb: inputs, beta: 1, c: dx, ldc: inputs)
            }
        }
    }

    /// Dequantizes W in tiles of `tileRows` rows and hands each (first row, row count, values) to `body`.
    private func forEachTile(_ body: (Int, Int, UnsafePointer<S>) -> Void) {
        guard case .quantized(let w) = weight, let tile else { return }
        var r0 = 0
        while r0 < outputs {
            let n = min(Self.tileRows, outputs - r0)
            if let tileFloat {
                for r in 0..<n { w.dequantizeRow(r0 + r, into: tileFloat + r * inputs) }
                for i in 0..<(n * inputs) { tile[i] = S(tileFloat[i]) }
            } else {
                let floats = UnsafeMutableRawPointer(tile).assumingMemoryBound(to: Float.self)
                for r in 0..<n { w.dequantizeRow(r0 + r, into: floats + r * inputs) }
            }
            body(r0, n, tile)
            r0 += n
        }
    }
}
