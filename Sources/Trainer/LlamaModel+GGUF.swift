// Building a trainable model from an existing llama-architecture GGUF (SmolLM2, TinyLlama, Llama…), via the
// Engine's ModelConfig and ModelWeights:
//   - `.frozenQuantized`: every matrix stays in its GGUF form (Q4_1, Q8_0, K-quants, F16…) and is dequantized
//     tile by tile inside `Linear` (QLoRA-style); norms are copied into a frozen store; nothing has gradients
//     until LoRA adapters are attached (`Linear.attach`) — gradients still flow through to the inputs.
//   - `.trainable`: every tensor is dequantized into a trainable store (full fine-tuning).
//
//     let (model, store) = try LlamaModel<Float>.load(gguf: file, mode: .frozenQuantized, maxSequences: 4, maxTokens: 256)
import Engine
import GGUF
import Kernels

public enum GGUFLoadMode: Sendable { case frozenQuantized, trainable }

extension LlamaModel {
    /// The ModelShape of a llama-family GGUF; other architectures (extra norms, biases, NEOX rope) are refused.
    public static func shape(of config: ModelConfig, tied: Bool) throws -> ModelShape {
        let t = config.traits
        guard config.architecture == "llama" || config.architecture == "mistral", t.ropeStyle == .adjacentPairs,
              !t.hasQKNorm, !t.hasPostNorms, !t.hasQKVBias, !t.scalesEmbedding, t.activation == .silu else {
            throw TrainerError.badConfig("general.architecture", "llama (got \(config.architecture))")
        }
        guard config.ropeDimensions == config.headDim, config.valueHeadDim == config.headDim, config.ropeScale == 1 else {
            throw TrainerError.badConfig("rope", "full-head rope without scaling")
        }
        return ModelShape(layers: config.layerCount, dim: config.embeddingLength, heads: config.headCount,
                          kvHeads: config.kvHeadCount, headDim: config.headDim, ffn: config.feedForwardLength,
                          vocab: config.vocabularySize, context: config.trainedContextLength,
                          ropeBase: Double(config.ropeBase), normEps: Double(config.normEpsilon), tiedEmbeddings: tied)
    }

    /// The model over a GGUF's weights, and the store holding its dense tensors (frozen norms for
    /// `.frozenQuantized`, everything trainable for `.trainable`). The model keeps the mapped file alive.
    public static func load(gguf file: GGUFFile, mode: GGUFLoadMode, maxSequences: Int, maxTokens: Int) throws
        -> (LlamaModel<S>, ParameterStore<S>) {
        Quantization.initialize()
        let config = try ModelConfig(file: file)
        let weights = try ModelWeights(file: file, config: config)
        let tied = file.tensor(named: "output.weight") == nil
        let shape = try shape(of: config, tied: tied)
        switch mode {
        case .trainable:
            let store = ParameterStore<S>(specs: parameterSpecs(shape))
            for (i, spec) in store.specs.enumerated() {
                guard let info = file.tensor(named: spec.name) else { throw TrainerError.badData(spec.name, "missing") }
                var floats = [Float](repeating: 0, count: spec.count)
                floats.withUnsafeMutableBufferPointer {
                    Quantization.dequantize(info.type, file.data(for: info).baseAddress!, into: $0.baseAddress!,
                                            count: spec.count)
                }
                let t = store.tensor(at: i)
                for j in 0..<spec.count { t.values[j] = S(floats[j]) }
            }
            let model = LlamaModel(shape: shape, parameters: store, maxSequences: maxSequences, maxTokens: maxTokens)
            model.keepAlive = [weights, file]
            return (model, store)
        case .frozenQuantized:
            let normSpecs = parameterSpecs(shape).filter { $0.shape.count == 1 }
            let norms = ParameterStore<S>(specs: normSpecs, trainable: false)
            func copy(_ v: Vector, into name: String) {
                let t = norms[name]
                for j in 0..<t.count { t.values[j] = S(v.pointer[j]) }
            }
            func linear(_ name: String, _ m: WeightMatrix) -> Linear<S> {
                Linear(name: name, inputs: m.columns, outputs: m.rows, weight: .quantized(m))
            }
            let blocks = weights.layers.enumerated().map { i, w -> LlamaBlock<S> in
                let b = "blk.\(i)."
                copy(w.attentionNorm, into: b + "attn_norm.weight")
                copy(w.feedForwardNorm, into: b + "ffn_norm.weight")
                return LlamaBlock(attentionNorm: norms[b + "attn_norm.weight"],
                                  query: linear(b + "attn_q.weight", w.query), key: linear(b + "attn_k.weight", w.key),
                                  value: linear(b + "attn_v.weight", w.value),
                                  output: linear(b + "attn_output.weight", w.output),
                                  feedForwardNorm: norms[b + "ffn_norm.weight"],
                                  gate: linear(b + "ffn_gate.weight", w.gate), up: linear(b + "ffn_up.weight", w.up),
                                  down: linear(b + "ffn_down.weight", w.down))
            }
            copy(weights.outputNorm, into: "output_norm.weight")
            let model = LlamaModel(
                shape: ShapeAndWeights(shape: shape, embedding: .quantized(weights.tokenEmbedding), blocks: blocks,
                                       outputNorm: norms["output_norm.weight"],
                                       output: linear(tied ? "token_embd.weight" : "output.weight", weights.output)),
                maxSequences: maxSequences, maxTokens: maxTokens)
            model.keepAlive = [weights, file, norms]
            return (model, norms)
        }
    }
}
