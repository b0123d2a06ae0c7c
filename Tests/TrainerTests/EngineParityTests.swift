// The Trainer's forward pass against the Engine's for the same weights: a tiny random llama is exported to a
// GGUF (F32) and run through the Engine; logits must agree. The Engine keeps K/V in fp16, so agreement is to
// fp16 precision, not bit for bit.
import Engine
import Foundation
import GGUF
import Testing
import LatheTestSupport
import Trainer

@Suite struct EngineParityTests {
    @Test func trainerLogitsEqualEngineLogits() throws {
        let shape = ModelShape(layers: 2, dim: 64, heads: 4, kvHeads: 2, ffn: 96, vocab: 300, context: 16,
                               tiedEmbeddings: false)
        let params = ParameterStore<Float>(specs: LlamaModel<Float>.parameterSpecs(shape))
        var rng = SplitMix64(seed: 11)
        for i in 0..<params.specs.count {
            let t = params.tensor(at: i)
            let isNorm = params.specs[i].shape.count == 1
            for j in 0..<t.count { t.values[j] = Float(isNorm ? 1 + 0.2 * rng.normal() : 0.15 * rng.normal()) }
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("parity-\(UUID().uuidString).gguf").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try GGUFExport.write(shape: shape, parameters: params, vocabulary: nil, name: "parity", to: path)

        let tokens = (0..<16).map { _ in Int32(rng.next() % 300) }
        let model = LlamaModel(shape: shape, parameters: params, maxSequences: 1, maxTokens: 16)
        _ = tokens.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, targets: nil, sequences: 1, length: 16) }
        let ours = Array(UnsafeBufferPointer(start: model.logits, count: 16 * 300))

        let transformer = try Transformer(file: try GGUFFile(path: path), threads: 1)
        let session = InferenceSession(model: transformer, contextLength: 16)
        nonisolated(unsafe) var theirs = [Float](repeating: .nan, count: 16 * 300)
        try session.evaluate(tokens, logits: .all { row, count, logits in
            for i in 0..<(count * 300) { theirs[row * 300 + i] = logits[i] }
        })
        let scale = ours.map(abs).max()!
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max()!
        print("engine parity: max |logit| \(scale), max difference \(worst)")
        #expect(scale > 1, "logits too small to compare meaningfully")
        #expect(worst / scale < 2e-3, "Trainer and Engine logits differ by \(worst) (scale \(scale))")
        // The same argmax at every position.
        for t in 0..<16 {
            let a = (0..<300).max { ours[t * 300 + $0] < ours[t * 300 + $1] }
            let b = (0..<300).max { theirs[t * 300 + $0] < theirs[t * 300 + $1] }
            #expect(a == b, "position \(t): argmax \(a!) vs Engine \(b!)")
        }
    }
}

@Suite struct QuantizedModelParityTests {
    /// SmolLM2 (llama, tied embeddings, Q4_1) loaded with its weights kept quantized and dequantized tile by tile
    /// (the QLoRA base path): the Trainer's logits follow the Engine's. The Engine converts activations to Q8_1
    /// for its integer dot products, so agreement is to that precision.
    @Test func smolLM2FrozenQuantizedMatchesEngine() throws {
        let path = TestPaths.smollm2
        let file = try GGUFFile(path: path)
        let (model, norms) = try LlamaModel<Float>.load(gguf: file, mode: .frozenQuantized, maxSequences: 1, maxTokens: 8)
        #expect(norms.grads == nil, "frozen base weights have no gradients")
        #expect(model.shape.tiedEmbeddings && model.shape.layers == 30 && model.shape.kvHeads == 3)
        let tokens: [Int32] = [1, 504, 3458, 282, 4649, 314, 2986, 30]  // BOS + "The capital of France is Paris."
        _ = tokens.withUnsafeBufferPointer { model.forward(tokens: $0.baseAddress!, targets: nil, sequences: 1, length: 8) }
        let V = model.shape.vocab
        let ours = Array(UnsafeBufferPointer(start: model.logits, count: 8 * V))

        let lm = try LanguageModel(path: path, threads: 2)
        let session = InferenceSession(model: lm.transformer, contextLength: 8)
        nonisolated(unsafe) var theirs = [Float](repeating: .nan, count: 8 * V)
        try session.evaluate(tokens, logits: .all { row, count, logits in
            for i in 0..<(count * V) { theirs[row * V + i] = logits[i] }
        })
        var agree = 0
        for t in 0..<8 {
            let a = (0..<V).max { ours[t * V + $0] < ours[t * V + $1] }!
            let b = (0..<V).max { theirs[t * V + $0] < theirs[t * V + $1] }!
            if a == b { agree += 1 }
        }
        let scale = theirs.map(abs).max()!
        let worst = zip(ours, theirs).map { abs($0 - $1) }.max()!
        print("SmolLM2 frozen-quantized parity: argmax agrees at \(agree)/8, max diff \(worst) of scale \(scale)")
        // Measured: 7/8 and 1.23 of 30.8 (4%); the Engine itself is ~1.2 logits off llama.cpp on SmolLM2
        // (EngineTests' greedy fixture), so the bound leaves room for Engine changes.
        #expect(agree >= 6)
        #expect(worst / scale < 0.06)
    }
}
