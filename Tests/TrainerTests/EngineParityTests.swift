// The Trainer's forward pass against the Engine's for the same weights: a tiny random llama is exported to a
// GGUF (F32) and run through the Engine; logits must agree. The Engine keeps K/V in fp16, so agreement is to
// fp16 precision, not bit for bit.
import Engine
import Foundation
import GGUF
import Testing
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
