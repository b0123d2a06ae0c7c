// LoRA dropout: p = 0 is the no-dropout path bit for bit; without a seed (evaluation) there is no dropout; with
// one, the adapter branch sees x ⊙ m, m ∈ {0, 1/(1-p)} with about p zeros, the same mask for the same seed.
// The masked backward is gradient-checked in GradientCheckTests; a SmolLM2 run with dropout that is stopped and
// resumed gives the uninterrupted run's curve exactly.
import Foundation
import LatheTestSupport
import Testing
import Trainer

/// A layer y = x·Wᵀ + s·((x ⊙ m)·Aᵀ)·Bᵀ with frozen random W and random trainable A, B (the same for equal seeds).
private final class AdapterLayer {
    let inputs = 24, outputs = 20, rank = 4, rows = 10
    let weights: ParameterStore<Float>, adapter: ParameterStore<Float>
    let linear: Linear<Float>

    init(dropout: Double, identity: Bool = false) {
        weights = ParameterStore(specs: [ParameterSpec(name: "w", shape: [outputs, inputs], decays: false)], trainable: false)
        adapter = ParameterStore(specs: [ParameterSpec(name: "a", shape: [rank, inputs], decays: false),
                                         ParameterSpec(name: "b", shape: [outputs, rank], decays: false)])
        var random = SplitMix64(seed: 5)
        for i in 0..<weights.count { weights.values[i] = Float(random.normal()) }
        for i in 0..<adapter.count { adapter.values[i] = Float(random.normal()) }
        linear = Linear(name: "t", inputs: inputs, outputs: outputs, weight: .dense(weights["w"]))
        linear.attach(LoRA(a: adapter["a"], b: adapter["b"], rank: rank, scale: 0.5, dropout: dropout), maxRows: rows)
    }

    var x: [Float] {
        var random = SplitMix64(seed: 6)
        return (0..<rows * inputs).map { _ in Float(random.normal()) }
    }

    /// (y, dx, dA ‖ dB) for dy = 1 everywhere.
    func run(seed: UInt64?) -> (y: [Float], dx: [Float], grads: [Float]) {
        linear.dropoutSeed = seed
        adapter.zeroGrads()
        let x = self.x
        var y = [Float](repeating: 0, count: rows * outputs), dx = [Float](repeating: 0, count: rows * inputs)
        let dy = [Float](repeating: 1, count: rows * outputs)
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeMutableBufferPointer { linear.forward(xp.baseAddress!, rows: rows, into: $0.baseAddress!) }
            dx.withUnsafeMutableBufferPointer { dxp in
                dy.withUnsafeBufferPointer {
                    linear.backward(x: xp.baseAddress!, dy: $0.baseAddress!, rows: rows, dx: dxp.baseAddress!, accumulate: false)
                }
            }
        }
        return (y, dx, Array(UnsafeBufferPointer(start: adapter.grads!, count: adapter.count)))
    }
}

@Suite struct LoRADropoutTests {
    @Test func zeroDropoutIsTheOldPathBitForBit() {
        let plain = AdapterLayer(dropout: 0).run(seed: nil)
        let seeded = AdapterLayer(dropout: 0).run(seed: 42)
        #expect(plain.y == seeded.y && plain.dx == seeded.dx && plain.grads == seeded.grads)
        // Dropout is train-time only: without a seed a p = 0.5 adapter computes exactly what p = 0 does.
        let evaluation = AdapterLayer(dropout: 0.5).run(seed: nil)
        #expect(plain.y == evaluation.y && plain.dx == evaluation.dx && plain.grads == evaluation.grads)
    }

    @Test func maskIsSeededInvertedAndAboutPZeros() {
        let layer = AdapterLayer(dropout: 0.25)
        let plain = AdapterLayer(dropout: 0).run(seed: nil)
        let a = layer.run(seed: 7), again = layer.run(seed: 7), other = layer.run(seed: 8)
        #expect(a.y == again.y && a.dx == again.dx && a.grads == again.grads)
        #expect(a.y != other.y)
        #expect(a.y != plain.y)
        // Read the mask back with A = I, B = I, s = 1, W = 0: y = x ⊙ m.
        let n = 20_000
        let w = ParameterStore<Float>(specs: [.init(name: "w", shape: [1, 1], decays: false)], trainable: false)
        w.values[0] = 0
        let ab = ParameterStore<Float>(specs: [.init(name: "a", shape: [1, 1], decays: false), .init(name: "b", shape: [1, 1], decays: false)])
        ab.values[0] = 1
        ab.values[1] = 1
        let probe = Linear<Float>(name: "probe", inputs: 1, outputs: 1, weight: .dense(w["w"]))
        probe.attach(LoRA(a: ab["a"], b: ab["b"], rank: 1, scale: 1, dropout: 0.25), maxRows: n)
        probe.dropoutSeed = 99
        let x = (0..<n).map { Float($0 % 7 + 1) }
        var y = [Float](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { probe.forward(xp.baseAddress!, rows: n, into: $0.baseAddress!) } }
        let zeros = y.filter { $0 == 0 }.count
        #expect(abs(Double(zeros) / Double(n) - 0.25) < 0.015, "dropped fraction \(Double(zeros) / Double(n))")
        withExtendedLifetime((w, ab)) {}
        #expect(zip(x, y).allSatisfy { x, y in y == 0 || abs(y - x / 0.75) <= 1e-5 * x })
    }

    /// Stop after 2 steps and resume: metrics equal an uninterrupted 4-step run's (dropout masks replayed), and
    /// differ from the same run without dropout (only step 1's loss is equal: B starts at zero).
    @Test func resumedRunWithDropoutMatchesUninterrupted() throws {
        try #require(FileManager.default.fileExists(atPath: TestPaths.smollm2), "missing \(TestPaths.smollm2)")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("lathe-dropout-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func config(_ name: String, dropout: Double) -> FineTuneConfig {
            var c = FineTuneConfig(model: TestPaths.smollm2, dataFiles: [TestPaths.fixture("lora/orvella-train.jsonl").path],
                                   runDirectory: root + "/" + name)
            c.dropout = dropout
            c.steps = 4
            c.batch = 1
            c.learningRate = 3e-3
            c.data.cutoff = 64
            c.evalEvery = 0
            c.checkpointEvery = 100
            c.seed = 11
            return c
        }
        func curve(_ name: String) -> [String] {
            RunDirectory(path: root + "/" + name).readMetrics().map { m in
                ["step", "loss", "grad_norm"].map { "\(m[$0] ?? "-")" }.joined(separator: " ")
            }
        }
        _ = try FineTuning.create(config("whole", dropout: 0.2)).train(control: { .run }, emit: { _ in })
        var calls = 0
        let outcome = try FineTuning.create(config("split", dropout: 0.2)).train(control: {
            calls += 1
            return calls > 2 ? .stop : .run
        }, emit: { _ in })
        guard case .stopped(step: 2, _) = outcome else {
            Issue.record("expected a stop at step 2, got \(outcome)")
            return
        }
        #expect(try FineTuning.resume(runDirectory: root + "/split").train(control: { .run }, emit: { _ in }) == .finished(step: 4))
        _ = try FineTuning.create(config("plain", dropout: 0)).train(control: { .run }, emit: { _ in })
        let whole = curve("whole"), split = curve("split"), plain = curve("plain")
        #expect(whole.count == 4)
        #expect(whole == split)
        // Step 1: B = 0, so the loss is the base model's either way (the gradient already differs).
        #expect(whole.first?.split(separator: " ").prefix(2) == plain.first?.split(separator: " ").prefix(2))
        #expect(whole.dropFirst() != plain.dropFirst())
    }

    @Test func dropoutOutOfRangeIsRefusedWithTheField() throws {
        var c = FineTuneConfig(model: "m.gguf", dataFiles: ["d.jsonl"], runDirectory: "/tmp/unused")
        c.dropout = 0.95
        #expect(throws: TrainerError.badConfig("dropout", "between 0 and 0.9")) { try c.validate() }
        c.dropout = 0.1
        c.method = .full
        #expect(throws: (any Error).self) { try c.validate() }
    }
}
