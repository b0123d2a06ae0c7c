// A llama-architecture decoder with an explicit forward and handwritten backward pass (llm.c style), generic
// over the float type: training runs it in Float, the gradient checks run the same code in Double.
//
//     let shape = ModelPreset.tiny.shape(vocab: 1024)
//     let params = ParameterStore<Float>(specs: LlamaModel<Float>.parameterSpecs(shape))
//     LlamaModel<Float>.initialize(params, shape: shape, seed: 1)
//     let model = LlamaModel(shape: shape, parameters: params, maxSequences: 8, maxTokens: 128)
//     let (sum, count) = model.forward(tokens: x, targets: y, sequences: 8, length: 128)  // mean loss = sum / count
//     model.backward(lossScale: 1 / Float(count))   // adds gradients into params.grads
//
// Per layer: x → RMSNorm → q,k,v (Linear) → RoPE(q,k) → causal GQA attention → o (Linear) → +x →
// RMSNorm → gate,up (Linear) → SwiGLU → down (Linear) → +; then final RMSNorm → output (Linear, possibly the
// tied embedding) → cross-entropy (targets < 0 masked).
//
// Weights come as `Tensor`s (dense, trainable when they have gradients) and `Linear`s (dense or frozen
// quantized GGUF matrices, optionally with a LoRA adapter), so the same model serves pretraining,
// full fine-tuning and QLoRA (see `LlamaModel+GGUF.swift`). Tensor names follow GGUF (blk.N.attn_q.weight).
public struct LlamaBlock<S: TrainScalar>: @unchecked Sendable {
    public var attentionNorm: Tensor<S>
    public var query: Linear<S>, key: Linear<S>, value: Linear<S>, output: Linear<S>
    public var feedForwardNorm: Tensor<S>
    public var gate: Linear<S>, up: Linear<S>, down: Linear<S>

    public var linears: [Linear<S>] { [query, key, value, output, gate, up, down] }
}

/// The token embedding table: dense (trainable or frozen) or a frozen quantized GGUF matrix.
public enum EmbeddingWeight<S: TrainScalar>: @unchecked Sendable {
    case dense(Tensor<S>)
    case quantized(WeightMatrix)
}

import Kernels

public final class LlamaModel<S: TrainScalar>: @unchecked Sendable {  // used by one training thread
    public let shape: ModelShape
    public let embedding: EmbeddingWeight<S>
    public let blocks: [LlamaBlock<S>]
    public let outputNorm: Tensor<S>
    public let output: Linear<S>
    public let maxSequences: Int
    public let maxTokens: Int
    /// Objects whose memory the weights point into (a mapped GGUF, a frozen store).
    public var keepAlive: [AnyObject] = []

    private let arena = Arena<S>()
    private let rope: RoPETable<S>
    // Saved activations, one buffer per layer where the backward pass needs it. Rows = sequences × length.
    private let residual: [UnsafeMutablePointer<S>]       // L+1 × [rows × C]: input of each layer, then the final
    private let residualMid: [UnsafeMutablePointer<S>]    // L × [rows × C]: after attention's residual add
    private let attnNormed, attnRstd, ffnNormed, ffnRstd: [UnsafeMutablePointer<S>]
    private let queries, keys, values, probs, attnOut: [UnsafeMutablePointer<S>]
    private let gates, ups, acts: [UnsafeMutablePointer<S>]
    private let finalNormed, finalRstd: UnsafeMutablePointer<S>
    /// Logits after `forward`, probabilities after the loss, dlogits during `backward`.
    public let logits: UnsafeMutablePointer<S>
    private let losses: UnsafeMutablePointer<S>
    private let targetsCopy: UnsafeMutablePointer<Int32>
    private let tokensCopy: UnsafeMutablePointer<Int32>
    // Backward scratch (shared by all layers).
    private let dResidual, dNormed, dQuery, dKey, dValue, dAttn, dGate, dUp, dAct, dScores: UnsafeMutablePointer<S>
    private var lastSequences = 0, lastLength = 0

    public init(shape: ShapeAndWeights<S>, maxSequences: Int, maxTokens: Int) {
        let c = shape.shape
        self.shape = c
        embedding = shape.embedding
        blocks = shape.blocks
        outputNorm = shape.outputNorm
        output = shape.output
        self.maxSequences = maxSequences
        self.maxTokens = maxTokens
        rope = RoPETable(positions: maxTokens, headDim: c.headDim, base: c.ropeBase)
        let N = maxSequences * maxTokens, C = c.dim, L = c.layers, F = c.ffn
        let a = arena
        residual = a.make(N * C, times: L + 1)
        residualMid = a.make(N * C, times: L)
        attnNormed = a.make(N * C, times: L)
        attnRstd = a.make(N, times: L)
        ffnNormed = a.make(N * C, times: L)
        ffnRstd = a.make(N, times: L)
        queries = a.make(N * c.queryWidth, times: L)
        keys = a.make(N * c.kvWidth, times: L)
        values = a.make(N * c.kvWidth, times: L)
        probs = a.make(maxSequences * c.heads * maxTokens * maxTokens, times: L)
        attnOut = a.make(N * c.queryWidth, times: L)
        gates = a.make(N * F, times: L)
        ups = a.make(N * F, times: L)
        acts = a.make(N * F, times: L)
        finalNormed = a.make(N * C)
        finalRstd = a.make(N)
        logits = a.make(N * c.vocab)
        losses = a.make(N)
        targetsCopy = .allocate(capacity: N)
        tokensCopy = .allocate(capacity: N)
        dResidual = a.make(N * C)
        dNormed = a.make(N * max(C, c.queryWidth))
        dQuery = a.make(N * c.queryWidth)
        dKey = a.make(N * c.kvWidth)
        dValue = a.make(N * c.kvWidth)
        dAttn = a.make(N * c.queryWidth)
        dGate = a.make(N * F)
        dUp = a.make(N * F)
        dAct = a.make(N * F)
        dScores = a.make(maxSequences * c.kvHeads * maxTokens * maxTokens)
    }

    /// Builds the model over a store holding every tensor of `parameterSpecs(shape)` (trainable or frozen).
    public convenience init(shape: ModelShape, parameters p: ParameterStore<S>, maxSequences: Int, maxTokens: Int) {
        func linear(_ name: String, _ outputs: Int, _ inputs: Int) -> Linear<S> {
            Linear(name: name, inputs: inputs, outputs: outputs, weight: .dense(p[name]))
        }
        let c = shape
        let blocks = (0..<c.layers).map { i -> LlamaBlock<S> in
            let b = "blk.\(i)."
            return LlamaBlock(
                attentionNorm: p[b + "attn_norm.weight"],
                query: linear(b + "attn_q.weight", c.queryWidth, c.dim),
                key: linear(b + "attn_k.weight", c.kvWidth, c.dim),
                value: linear(b + "attn_v.weight", c.kvWidth, c.dim),
                output: linear(b + "attn_output.weight", c.dim, c.queryWidth),
                feedForwardNorm: p[b + "ffn_norm.weight"],
                gate: linear(b + "ffn_gate.weight", c.ffn, c.dim),
                up: linear(b + "ffn_up.weight", c.ffn, c.dim),
                down: linear(b + "ffn_down.weight", c.dim, c.ffn))
        }
        let outputName = c.tiedEmbeddings ? "token_embd.weight" : "output.weight"
        self.init(shape: ShapeAndWeights(shape: c, embedding: .dense(p["token_embd.weight"]), blocks: blocks,
                                         outputNorm: p["output_norm.weight"],
                                         output: linear(outputName, c.vocab, c.dim)),
                  maxSequences: maxSequences, maxTokens: maxTokens)
    }

    deinit {
        targetsCopy.deallocate()
        tokensCopy.deallocate()
    }

    /// The tensors of a model of `shape`, in GGUF naming and export order.
    public static func parameterSpecs(_ c: ModelShape) -> [ParameterSpec] {
        var specs = [ParameterSpec(name: "token_embd.weight", shape: [c.vocab, c.dim], decays: true)]
        for i in 0..<c.layers {
            let b = "blk.\(i)."
            specs += [
                ParameterSpec(name: b + "attn_norm.weight", shape: [c.dim], decays: false),
                ParameterSpec(name: b + "attn_q.weight", shape: [c.queryWidth, c.dim], decays: true),
                ParameterSpec(name: b + "attn_k.weight", shape: [c.kvWidth, c.dim], decays: true),
                ParameterSpec(name: b + "attn_v.weight", shape: [c.kvWidth, c.dim], decays: true),
                ParameterSpec(name: b + "attn_output.weight", shape: [c.dim, c.queryWidth], decays: true),
                ParameterSpec(name: b + "ffn_norm.weight", shape: [c.dim], decays: false),
                ParameterSpec(name: b + "ffn_gate.weight", shape: [c.ffn, c.dim], decays: true),
                ParameterSpec(name: b + "ffn_up.weight", shape: [c.ffn, c.dim], decays: true),
                ParameterSpec(name: b + "ffn_down.weight", shape: [c.dim, c.ffn], decays: true),
            ]
        }
        specs.append(ParameterSpec(name: "output_norm.weight", shape: [c.dim], decays: false))
        if !c.tiedEmbeddings {
            specs.append(ParameterSpec(name: "output.weight", shape: [c.vocab, c.dim], decays: true))
        }
        return specs
    }

    /// GPT-2 style init: N(0, 0.02) for matrices, N(0, 0.02/√(2L)) for the projections into the residual
    /// stream (attn_output, ffn_down), ones for norms. Deterministic in `seed`.
    public static func initialize(_ p: ParameterStore<S>, shape c: ModelShape, seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        for (i, spec) in p.specs.enumerated() {
            let t = p.tensor(at: i)
            if spec.shape.count == 1 {
                t.values.update(repeating: 1, count: t.count)
                continue
            }
            let residualProjection = spec.name.hasSuffix("attn_output.weight") || spec.name.hasSuffix("ffn_down.weight")
            let std = residualProjection ? 0.02 / Double(2 * c.layers).squareRoot() : 0.02
            for j in 0..<t.count { t.values[j] = S(rng.normal() * std) }
        }
    }

    /// Runs `sequences` rows of `length` tokens (row-major [sequences × length]). With `targets`, computes the
    /// cross-entropy (targets < 0 masked) and returns (sum of losses, unmasked count); without, leaves the
    /// logits in `logits` and returns (0, 0).
    @discardableResult
    public func forward(tokens: UnsafePointer<Int32>, targets: UnsafePointer<Int32>?, sequences B: Int,
                        length T: Int) -> (sum: Double, count: Int) {
        precondition(B <= maxSequences && T <= maxTokens && B > 0 && T > 0)
        let c = shape
        let N = B * T, C = c.dim, F = c.ffn
        let eps = S(c.normEps)
        lastSequences = B
        lastLength = T
        tokensCopy.update(from: tokens, count: N)
        embed(tokens, rows: N, into: residual[0])
        let attention = AttentionShape(batch: B, tokens: T, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        for (l, w) in blocks.enumerated() {
            let x = residual[l]
            RMSNorm.forward(x, weight: w.attentionNorm.values, eps: eps, rows: N, width: C, out: attnNormed[l],
                            rstd: attnRstd[l])
            w.query.forward(attnNormed[l], rows: N, into: queries[l])
            w.key.forward(attnNormed[l], rows: N, into: keys[l])
            w.value.forward(attnNormed[l], rows: N, into: values[l])
            let (q, k) = (queries[l], keys[l])
            Parallel.forEach(B) { b in
                rope.apply(q + b * T * c.queryWidth, tokens: T, heads: c.heads, stride: c.queryWidth, inverse: false)
                rope.apply(k + b * T * c.kvWidth, tokens: T, heads: c.kvHeads, stride: c.kvWidth, inverse: false)
            }
            Attention.forward(attention, q: queries[l], k: keys[l], v: values[l], probs: probs[l], out: attnOut[l])
            let mid = residualMid[l]
            w.output.forward(attnOut[l], rows: N, into: mid)
            Self.add(x, into: mid, count: N * C)

            RMSNorm.forward(mid, weight: w.feedForwardNorm.values, eps: eps, rows: N, width: C, out: ffnNormed[l],
                            rstd: ffnRstd[l])
            w.gate.forward(ffnNormed[l], rows: N, into: gates[l])
            w.up.forward(ffnNormed[l], rows: N, into: ups[l])
            SwiGLU.forward(gate: gates[l], up: ups[l], out: acts[l], count: N * F)
            let next = residual[l + 1]
            w.down.forward(acts[l], rows: N, into: next)
            Self.add(mid, into: next, count: N * C)
        }
        RMSNorm.forward(residual[c.layers], weight: outputNorm.values, eps: eps, rows: N, width: C, out: finalNormed,
                        rstd: finalRstd)
        output.forward(finalNormed, rows: N, into: logits)
        guard let targets else { return (0, 0) }
        targetsCopy.update(from: targets, count: N)
        return CrossEntropy.forward(logits: logits, targets: targets, rows: N, vocab: c.vocab, losses: losses)
    }

    /// Adds the gradients of Σ(losses) · lossScale for the last `forward` (which must have had targets) into
    /// every trainable tensor's gradient buffer. Pass lossScale = 1 / (unmasked tokens in the optimizer step).
    public func backward(lossScale: S) {
        let c = shape
        let B = lastSequences, T = lastLength, N = B * T, C = c.dim, F = c.ffn
        CrossEntropy.backward(probs: logits, targets: targetsCopy, rows: N, vocab: c.vocab, scale: lossScale)
        output.backward(x: finalNormed, dy: logits, rows: N, dx: dNormed, accumulate: false)
        dResidual.update(repeating: 0, count: N * C)
        RMSNorm.backward(dout: dNormed, x: residual[c.layers], weight: outputNorm.values, rstd: finalRstd, rows: N,
                         width: C, dx: dResidual, dw: outputNorm.grads)
        let attention = AttentionShape(batch: B, tokens: T, heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim)
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            let w = blocks[l]
            // residual[l+1] = mid + down(act): dResidual flows to mid unchanged and into the FFN.
            w.down.backward(x: acts[l], dy: dResidual, rows: N, dx: dAct, accumulate: false)
            SwiGLU.backward(dout: dAct, gate: gates[l], up: ups[l], dgate: dGate, dup: dUp, count: N * F)
            w.gate.backward(x: ffnNormed[l], dy: dGate, rows: N, dx: dNormed, accumulate: false)
            w.up.backward(x: ffnNormed[l], dy: dUp, rows: N, dx: dNormed, accumulate: true)
            RMSNorm.backward(dout: dNormed, x: residualMid[l], weight: w.feedForwardNorm.values, rstd: ffnRstd[l],
                             rows: N, width: C, dx: dResidual, dw: w.feedForwardNorm.grads)
            // mid = x + o(attn): dResidual flows to x unchanged and into attention.
            w.output.backward(x: attnOut[l], dy: dResidual, rows: N, dx: dAttn, accumulate: false)
            dKey.update(repeating: 0, count: N * c.kvWidth)
            dValue.update(repeating: 0, count: N * c.kvWidth)
            Attention.backward(attention, dout: dAttn, q: queries[l], k: keys[l], v: values[l], probs: probs[l],
                               dq: dQuery, dk: dKey, dv: dValue, scratch: dScores)
            let (dq, dk) = (dQuery, dKey)
            Parallel.forEach(B) { b in
                rope.apply(dq + b * T * c.queryWidth, tokens: T, heads: c.heads, stride: c.queryWidth, inverse: true)
                rope.apply(dk + b * T * c.kvWidth, tokens: T, heads: c.kvHeads, stride: c.kvWidth, inverse: true)
            }
            w.query.backward(x: attnNormed[l], dy: dQuery, rows: N, dx: dNormed, accumulate: false)
            w.key.backward(x: attnNormed[l], dy: dKey, rows: N, dx: dNormed, accumulate: true)
            w.value.backward(x: attnNormed[l], dy: dValue, rows: N, dx: dNormed, accumulate: true)
            RMSNorm.backward(dout: dNormed, x: residual[l], weight: w.attentionNorm.values, rstd: attnRstd[l],
                             rows: N, width: C, dx: dResidual, dw: w.attentionNorm.grads)
        }
        if case .dense(let table) = embedding, let grads = table.grads {
            for r in 0..<N {
                let g = grads + Int(tokensCopy[r]) * C, d = dResidual + r * C
                for i in 0..<C { g[i] += d[i] }
            }
        }
    }

    /// y += x, in parallel chunks.
    private static func add(_ x: UnsafePointer<S>, into y: UnsafeMutablePointer<S>, count: Int) {
        Parallel.chunks(count, minChunk: 1 << 16) { r in
            for i in r { y[i] += x[i] }
        }
    }

    /// Per-position losses of the last forward with targets (0 where masked).
    public func positionLosses(count: Int) -> [Double] { (0..<count).map { Double(losses[$0]) } }

    private func embed(_ tokens: UnsafePointer<Int32>, rows: Int, into out: UnsafeMutablePointer<S>) {
        let C = shape.dim
        for r in 0..<rows {
            let token = Int(tokens[r])
            precondition(token >= 0 && token < shape.vocab, "token \(token) outside the vocabulary (\(shape.vocab))")
            switch embedding {
            case .dense(let table):
                (out + r * C).update(from: table.values + token * C, count: C)
            case .quantized(let matrix):
                if S.self == Float.self {
                    matrix.dequantizeRow(token, into: UnsafeMutableRawPointer(out + r * C).assumingMemoryBound(to: Float.self))
                } else {
                    var row = [Float](repeating: 0, count: C)
                    row.withUnsafeMutableBufferPointer { matrix.dequantizeRow(token, into: $0.baseAddress!) }
                    for i in 0..<C { out[r * C + i] = S(row[i]) }
                }
            }
        }
    }
}

/// A model's shape and weights, before activation buffers are allocated.
public struct ShapeAndWeights<S: TrainScalar>: @unchecked Sendable {
    public var shape: ModelShape
    public var embedding: EmbeddingWeight<S>
    public var blocks: [LlamaBlock<S>]
    public var outputNorm: Tensor<S>
    public var output: Linear<S>

    public init(shape: ModelShape, embedding: EmbeddingWeight<S>, blocks: [LlamaBlock<S>], outputNorm: Tensor<S>,
                output: Linear<S>) {
        self.shape = shape
        self.embedding = embedding
        self.blocks = blocks
        self.outputNorm = outputNorm
        self.output = output
    }
}
