// A tiny synthetic llama model with F32 weights written as a real GGUF, so adapter arithmetic can be
// checked exactly (F32 matmuls dot F32 activations: no quantization in the way).
import Engine
import Foundation
import GGUF

enum TinyLlama {
    static let embedding = 32, heads = 4, kvHeads = 2, headDim = 8, feedForward = 48, layers = 2, vocabulary = 40

    /// Writes the model to a temporary file and returns its path.
    static func write(seed: UInt64 = 7) throws -> String {
        var random = TestRandom(seed: seed)
        var writer = GGUFWriter()
        writer.set("general.architecture", .string("llama"))
        writer.set("general.name", .string("tiny-llama"))
        writer.set("llama.block_count", .uint32(UInt32(layers)))
        writer.set("llama.embedding_length", .uint32(UInt32(embedding)))
        writer.set("llama.feed_forward_length", .uint32(UInt32(feedForward)))
        writer.set("llama.attention.head_count", .uint32(UInt32(heads)))
        writer.set("llama.attention.head_count_kv", .uint32(UInt32(kvHeads)))
        writer.set("llama.context_length", .uint32(64))
        writer.set("llama.vocab_size", .uint32(UInt32(vocabulary)))
        writer.set("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        var tensors: [(String, [Int], [Float])] = []
        func matrix(_ name: String, rows: Int, columns: Int, scale: Float = 0.3) {
            tensors.append((name, [columns, rows], (0..<(rows * columns)).map { _ in (random.nextUnitFloat() * 2 - 1) * scale }))
        }
        func ones(_ name: String, _ n: Int) { tensors.append((name, [n], [Float](repeating: 1, count: n))) }
        matrix("token_embd.weight", rows: vocabulary, columns: embedding, scale: 1)
        for l in 0..<layers {
            let p = "blk.\(l)."
            ones(p + "attn_norm.weight", embedding)
            matrix(p + "attn_q.weight", rows: heads * headDim, columns: embedding)
            matrix(p + "attn_k.weight", rows: kvHeads * headDim, columns: embedding)
            matrix(p + "attn_v.weight", rows: kvHeads * headDim, columns: embedding)
            matrix(p + "attn_output.weight", rows: embedding, columns: heads * headDim)
            ones(p + "ffn_norm.weight", embedding)
            matrix(p + "ffn_gate.weight", rows: feedForward, columns: embedding)
            matrix(p + "ffn_up.weight", rows: feedForward, columns: embedding)
            matrix(p + "ffn_down.weight", rows: embedding, columns: feedForward)
        }
        ones("output_norm.weight", embedding)
        matrix("output.weight", rows: vocabulary, columns: embedding)
        for (name, dims, values) in tensors {
            let bytes = values.withUnsafeBytes { Data($0) }
            nonisolated(unsafe) let pointer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 16)
            pointer.copyBytes(from: bytes)  // freed with the process; a test model is a few KiB
            writer.addTensor(name: name, dims: dims, type: .f32) { UnsafeRawBufferPointer(pointer) }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiny-llama-\(UUID().uuidString).gguf").path
        try writer.write(to: path)
        return path
    }

    /// An adapter with random A and B on `targets` of every layer.
    static func adapter(rank: Int, alpha: Float, targets: [LoRATarget], seed: UInt64, config: ModelConfig) -> LoRAAdapter {
        var random = TestRandom(seed: seed)
        var pairs: [LoRAKey: LoRAPair] = [:]
        for layer in 0..<config.layerCount {
            for target in targets {
                let (rows, columns) = LoRAStack.shape(target, config)
                let a = (0..<(rank * columns)).map { _ in (random.nextUnitFloat() * 2 - 1) * 0.5 }
                let b = (0..<(rows * rank)).map { _ in (random.nextUnitFloat() * 2 - 1) * 0.5 }
                pairs[LoRAKey(layer: layer, target: target)] = LoRAPair(rank: rank, inputs: columns, outputs: rows, a: a, b: b)
            }
        }
        return LoRAAdapter(architecture: config.architecture, alpha: alpha, pairs: pairs, baseModelName: "tiny-llama")
    }

    /// Logits of the last position after `tokens`.
    static func logits(_ transformer: Transformer, _ tokens: [Int32]) throws -> [Float] {
        let session = InferenceSession(model: transformer, contextLength: 32)
        try session.prefill(tokens)
        return Array(UnsafeBufferPointer(start: session.logits, count: transformer.config.vocabularySize))
    }
}

/// SplitMix64, for reproducible synthetic weights.
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnitFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
