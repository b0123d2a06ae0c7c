// The handwritten backward pass against central finite differences, in Double, for every parameter tensor
// of a tiny random llama (2 layers, d=64, 4 heads, 2 KV heads, vocab 300, seq 16), tied and untied.
import Testing
import Trainer

@Suite struct GradientCheckTests {
    static let tolerance = 1e-4

    @Test(arguments: [true, false])
    func everyTensorMatchesFiniteDifferences(tied: Bool) {
        let shape = ModelShape(layers: 2, dim: 64, heads: 4, kvHeads: 2, ffn: 96, vocab: 300, context: 16,
                               tiedEmbeddings: tied)
        let results = GradientCheck.run(shape: shape, sequences: 2, length: 16, seed: tied ? 7 : 8)
        #expect(results.count == LlamaModel<Double>.parameterSpecs(shape).count)
        for r in results {
            #expect(r.gradientNorm > 0, "\(r.tensor) has an all-zero gradient")
            #expect(r.directionalError < Self.tolerance, "\(r.tensor): directional error \(r.directionalError)")
            #expect(r.entryError < Self.tolerance, "\(r.tensor): entry error \(r.entryError)")
        }
        let worst = results.map { max($0.directionalError, $0.entryError) }.max() ?? 1
        print("gradient check (tied: \(tied)): \(results.count) tensors, worst relative error \(worst)")
    }
}

@Suite struct LoRAGradientCheckTests {
    /// Frozen Q8_0 base weights dequantized on the fly + LoRA adapters on every linear layer (the QLoRA path).
    /// Also with adapter dropout (p = 0.3) under one fixed mask, so the masked backward is checked.
    @Test(arguments: [0, 0.3])
    func adapterGradientsMatchFiniteDifferences(dropout: Double) {
        let shape = ModelShape(layers: 2, dim: 64, heads: 4, kvHeads: 2, ffn: 96, vocab: 320, context: 16)
        let results = GradientCheck.runLoRA(shape: shape, sequences: 2, length: 16, seed: 9, dropout: dropout)
        #expect(results.count == 2 * 7 * 2)
        for r in results {
            #expect(r.gradientNorm > 0, "\(r.tensor) has an all-zero gradient")
            #expect(r.directionalError < GradientCheckTests.tolerance, "\(r.tensor): directional error \(r.directionalError)")
            #expect(r.entryError < GradientCheckTests.tolerance, "\(r.tensor): entry error \(r.entryError)")
        }
    }
}
