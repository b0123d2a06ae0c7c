// Gradient checks: the model's analytic gradients (the handwritten backward pass, run in Double through the
// very same generic code that trains in Float) against central finite differences of the loss.
// For every trainable tensor it checks a random direction over the whole tensor (⟨g, u⟩ vs
// (L(θ+εu) − L(θ−εu)) / 2ε) and individual entries (the largest-gradient one plus random ones).
// Some targets are masked (< 0), so the masked-loss path is checked too.
//   - `run`: a dense model, every parameter trainable (pretraining / full fine-tuning).
//   - `runLoRA`: frozen Q8_0 weights (embedding and tied output included) dequantized on the fly, with LoRA
//     adapters on every linear layer; the adapters are what is checked (the QLoRA path). With `dropout` > 0 the
//     adapters train with dropout under one fixed mask (a fixed seed), the same in every forward pass.
import Foundation
import GGUF
import Kernels

public struct GradientCheckResult: Sendable {
    public var tensor: String
    /// Relative error of the directional derivative over the whole tensor.
    public var directionalError: Double
    /// Largest relative error over the checked entries.
    public var entryError: Double
    public var entriesChecked: Int
    public var gradientNorm: Double
}

public enum GradientCheck {
    /// Relative error |a − n| / max(|a|, |n|), with a floor so exact zeros compare as equal.
    public static func relativeError(_ a: Double, _ n: Double) -> Double {
        abs(a - n) / max(abs(a), abs(n), 1e-10)
    }

    public static func run(shape: ModelShape, sequences: Int, length: Int, seed: UInt64,
                           entriesPerTensor: Int = 3) -> [GradientCheckResult] {
        let store = ParameterStore<Double>(specs: LlamaModel<Double>.parameterSpecs(shape))
        var rng = SplitMix64(seed: seed)
        randomize(store, rng: &rng)
        let model = LlamaModel<Double>(shape: shape, parameters: store, maxSequences: sequences, maxTokens: length)
        return check(model: model, trainable: store, sequences: sequences, length: length, rng: &rng,
                     entriesPerTensor: entriesPerTensor)
    }

    public static func runLoRA(shape: ModelShape, sequences: Int, length: Int, seed: UInt64, rank: Int = 4,
                               dropout: Double = 0, entriesPerTensor: Int = 3) -> [GradientCheckResult] {
        precondition(shape.tiedEmbeddings, "the LoRA check uses a tied, quantized embedding")
        Quantization.initialize()
        var rng = SplitMix64(seed: seed)
        let specs = LlamaModel<Double>.parameterSpecs(shape)
        let norms = ParameterStore<Double>(specs: specs.filter { $0.shape.count == 1 }, trainable: false)
        randomize(norms, rng: &rng)
        // Frozen Q8_0 matrices: bytes kept in `holder` for as long as the model lives.
        let holder = ByteHolder()
        func quantized(_ spec: ParameterSpec) -> WeightMatrix {
            let values = (0..<spec.count).map { _ in Float(0.15 * rng.normal()) }
            let bytes = Quantization.quantizeReference(.q8_0, values)
            let pointer = holder.keep(bytes)
            return WeightMatrix(data: pointer, type: .q8_0, rows: spec.shape[0], columns: spec.shape[1])
        }
        var matrices: [String: WeightMatrix] = [:]
        for spec in specs where spec.shape.count == 2 { matrices[spec.name] = quantized(spec) }
        var adapterSpecs: [ParameterSpec] = []
        for spec in specs where spec.shape.count == 2 && spec.name.hasPrefix("blk.") {
            let base = String(spec.name.dropLast(".weight".count))
            adapterSpecs.append(ParameterSpec(name: base + ".lora_a", shape: [rank, spec.shape[1]], decays: false))
            adapterSpecs.append(ParameterSpec(name: base + ".lora_b", shape: [spec.shape[0], rank], decays: false))
        }
        let adapters = ParameterStore<Double>(specs: adapterSpecs)
        for i in 0..<adapterSpecs.count {
            let t = adapters.tensor(at: i)
            for j in 0..<t.count { t.values[j] = 0.2 * rng.normal() }
        }
        func linear(_ name: String) -> Linear<Double> {
            let m = matrices[name]!
            let layer = Linear<Double>(name: name, inputs: m.columns, outputs: m.rows, weight: .quantized(m))
            if name.hasPrefix("blk.") {
                let base = String(name.dropLast(".weight".count))
                layer.attach(LoRA(a: adapters[base + ".lora_a"], b: adapters[base + ".lora_b"], rank: rank, scale: 2,
                                  dropout: dropout), maxRows: sequences * length)
            }
            return layer
        }
        let blocks = (0..<shape.layers).map { i -> LlamaBlock<Double> in
            let b = "blk.\(i)."
            return LlamaBlock(attentionNorm: norms[b + "attn_norm.weight"], query: linear(b + "attn_q.weight"),
                              key: linear(b + "attn_k.weight"), value: linear(b + "attn_v.weight"),
                              output: linear(b + "attn_output.weight"), feedForwardNorm: norms[b + "ffn_norm.weight"],
                              gate: linear(b + "ffn_gate.weight"), up: linear(b + "ffn_up.weight"),
                              down: linear(b + "ffn_down.weight"))
        }
        let model = LlamaModel<Double>(
            shape: ShapeAndWeights(shape: shape, embedding: .quantized(matrices["token_embd.weight"]!), blocks: blocks,
                                   outputNorm: norms["output_norm.weight"], output: linear("token_embd.weight")),
            maxSequences: sequences, maxTokens: length)
        model.keepAlive = [holder, norms]
        if dropout > 0 { model.setLoRADropout(seed: seed) }
        return check(model: model, trainable: adapters, sequences: sequences, length: length, rng: &rng,
                     entriesPerTensor: entriesPerTensor)
    }

    /// Larger than training init so every nonlinearity is exercised; norms away from 1.
    private static func randomize(_ store: ParameterStore<Double>, rng: inout SplitMix64) {
        for i in 0..<store.specs.count {
            let t = store.tensor(at: i)
            let isNorm = store.specs[i].shape.count == 1
            for j in 0..<t.count { t.values[j] = isNorm ? 1 + 0.2 * rng.normal() : 0.15 * rng.normal() }
        }
    }

    private static func check(model: LlamaModel<Double>, trainable store: ParameterStore<Double>, sequences: Int,
                              length: Int, rng: inout SplitMix64, entriesPerTensor: Int,
                              epsilon: Double = 1e-5) -> [GradientCheckResult] {
        let vocab = model.shape.vocab
        let n = sequences * length
        let tokens = (0..<n).map { _ in Int32(rng.next() % UInt64(vocab)) }
        let targets = (0..<n).map { i in i % 5 == 3 ? -1 : Int32(rng.next() % UInt64(vocab)) }
        func loss() -> Double {
            tokens.withUnsafeBufferPointer { x in
                targets.withUnsafeBufferPointer { y in
                    let (sum, count) = model.forward(tokens: x.baseAddress!, targets: y.baseAddress!,
                                                     sequences: sequences, length: length)
                    return sum / Double(count)
                }
            }
        }
        store.zeroGrads()
        let count = targets.filter { $0 >= 0 }.count
        _ = loss()
        model.backward(lossScale: 1 / Double(count))
        let grads = store.grads!

        var results: [GradientCheckResult] = []
        for i in 0..<store.specs.count {
            let t = store.tensor(at: i)
            let g = grads + store.offsets[i]
            // Directional derivative along a random ±1 direction.
            let u = (0..<t.count).map { _ in rng.next() & 1 == 0 ? -1.0 : 1.0 }
            let saved = Array(UnsafeBufferPointer(start: t.values, count: t.count))
            for j in 0..<t.count { t.values[j] = saved[j] + epsilon * u[j] }
            let plus = loss()
            for j in 0..<t.count { t.values[j] = saved[j] - epsilon * u[j] }
            let minus = loss()
            for j in 0..<t.count { t.values[j] = saved[j] }
            let numeric = (plus - minus) / (2 * epsilon)
            var analytic = 0.0
            for j in 0..<t.count { analytic += g[j] * u[j] }
            let directional = relativeError(analytic, numeric)

            var entries = [(0..<t.count).max { abs(g[$0]) < abs(g[$1]) }!]
            for _ in 0..<entriesPerTensor { entries.append(Int(rng.next() % UInt64(t.count))) }
            var worst = 0.0
            for j in entries {
                let v = t.values[j]
                t.values[j] = v + epsilon
                let lp = loss()
                t.values[j] = v - epsilon
                let lm = loss()
                t.values[j] = v
                worst = max(worst, relativeError(g[j], (lp - lm) / (2 * epsilon)))
            }
            var norm = 0.0
            for j in 0..<t.count { norm += g[j] * g[j] }
            results.append(GradientCheckResult(tensor: t.name, directionalError: directional, entryError: worst,
                                               entriesChecked: entries.count, gradientNorm: norm.squareRoot()))
        }
        return results
    }
}

/// Owns byte buffers that WeightMatrix views point into.
final class ByteHolder {
    private var buffers: [UnsafeMutableRawPointer] = []

    func keep(_ bytes: [UInt8]) -> UnsafeRawPointer {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        buffers.append(p)
        return UnsafeRawPointer(p)
    }

    deinit { buffers.forEach { $0.deallocate() } }
}
