// The decoder forward pass shared by every supported architecture (traits in Architectures/), for one
// sequence and (through `runLayers`, see Transformer+Batch) for continuous batching. It reads top to bottom
// like llama.cpp's graph: embed → per layer [norm → q,k,v → rope → cache → attention → out-proj
// (+post-norm) → residual → norm → gated FFN (+post-norm) → residual] → norm → logits.
//
// Glossary (local names inside runLayers): T tokens in the batch, C embedding width, F feed-forward
// width, H query heads, KVH key/value heads, D head dimension.
import CKernels
import GGUF
import Kernels

/// Which positions of a batch need logits.
public enum LogitsRequest {
    case none
    case last
    /// Every position; rows are handed to `body(firstRow, rowCount, logits)` in blocks.
    case all((_ firstRow: Int, _ rowCount: Int, _ logits: UnsafePointer<Float>) -> Void)
}

public final class Transformer: @unchecked Sendable {  // immutable after init; forward is reentrant per scratch
    public let config: ModelConfig
    public let weights: ModelWeights
    public let pool: ThreadPool
    /// Run-time LoRA adapters (nil: none). Set between forward passes, never during one.
    public var lora: LoRAStack?

    public init(file: GGUFFile, threads: Int) throws {
        lk_init()
        config = try ModelConfig(file: file)
        weights = try ModelWeights(file: file, config: config)
        pool = ThreadPool.shared(threads: threads)
    }

    /// Runs `tokens` (at positions cache.count ..< cache.count + tokens.count) through the model, appending
    /// their keys and values to `cache`. With `.last`, the last position's logits are in `scratch.logits`.
    func forward(_ tokens: UnsafeBufferPointer<Int32>, cache: KVCache, scratch s: Scratch, logits: LogitsRequest) {
        let T = tokens.count, start = cache.count
        precondition(T <= s.maxBatch && start + T <= cache.capacity)
        runLayers(tokens, rows: (0..<T).map { BatchRow(cache: cache, position: start + $0) }, scratch: s)
        switch logits {
        case .none: break
        case .last: outputLogits(rows: [T - 1], scratch: s)
        case .all(let body):
            var row = 0
            while row < T {
                let n = min(s.logitRows, T - row)
                outputLogits(rows: Array(row..<row + n), scratch: s)
                body(row, n, s.logits)
                row += n
            }
        }
    }

    /// The decoder layers over a batch whose row `t` is token `tokens[t]` at `rows[t].position` of
    /// `rows[t].cache` (one sequence, or several for continuous batching); leaves the final hidden states in
    /// `scratch.hidden`. The projections and the feed-forward network run over all rows at once; rotary
    /// embedding, the cache store and attention run per row against that row's own cache.
    func runLayers(_ tokens: UnsafeBufferPointer<Int32>, rows: [BatchRow], scratch s: Scratch) {
        let c = config
        let T = tokens.count, C = c.embeddingLength, F = c.feedForwardLength
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
    }

    func embed(_ tokens: UnsafeBufferPointer<Int32>, into hidden: UnsafeMutablePointer<Float>) {
        let C = config.embeddingLength
        for (t, token) in tokens.enumerated() {
            weights.tokenEmbedding.dequantizeRow(Int(token), into: hidden + t * C)
        }
        if config.traits.scalesEmbedding {
            lk_scale_f32(hidden, Float(C).squareRoot(), Int64(tokens.count * C))
        }
    }

    /// `input` must already be prepared in `scratch.activations` for `w`'s activation type; matrices
    /// with a different type (e.g. Q8_0 next to Q5_0) are converted again here.
    func project(_ w: WeightMatrix, into out: UnsafeMutablePointer<Float>, tokens: Int,
                         input: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let a = scratch.activations
        if !a.isPrepared(for: w, tokens: tokens) {
            a.prepare(input, tokens: tokens, columns: w.columns, type: w.activationType, pool: pool)
        }
        MatMul.multiply(w, prepared: a, into: out, outStride: w.rows, pool: pool)
    }

    /// Several products of the same input: those whose activation type is the prepared one run as one
    /// parallel job (one fork-join for q/k/v or gate/up); any other is converted for and run on its own.
    func project(_ outputs: [(weights: WeightMatrix, out: UnsafeMutablePointer<Float>)], tokens: Int,
                 input: UnsafeMutablePointer<Float>, scratch: Scratch) {
        let a = scratch.activations
        let together = outputs.filter { a.isPrepared(for: $0.weights, tokens: tokens) }
        if !together.isEmpty {
            MatMul.multiply(together.map { MatMul.Product(weights: $0.weights, out: $0.out, outStride: $0.weights.rows) },
                            prepared: a, pool: pool)
        }
        for output in outputs where !together.contains(where: { $0.out == output.out }) {
            project(output.weights, into: output.out, tokens: tokens, input: input, scratch: scratch)
        }
    }

    func addBias(_ bias: Vector?, to x: UnsafeMutablePointer<Float>, tokens: Int) {
        guard let bias else { return }
        for t in 0..<tokens { lk_add_f32(x + t * bias.count, bias.pointer, x + t * bias.count, Int64(bias.count)) }
    }

    func rmsNorm(_ x: UnsafeMutablePointer<Float>, _ weight: Vector, into out: UnsafeMutablePointer<Float>,
                         tokens: Int) {
        let n = weight.count, eps = config.normEpsilon
        for t in 0..<tokens { lk_rmsnorm_f32(x + t * n, weight.pointer, 0, eps, out + t * n, Int64(n)) }
    }
}
