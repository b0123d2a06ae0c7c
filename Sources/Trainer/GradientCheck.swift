// Gradient checks: the model's analytic gradients (the handwritten backward pass, run in Double through the
// very same generic code that trains in Float) against central finite differences of the loss.
// For every parameter tensor it checks a random direction over the whole tensor (⟨g, u⟩ vs
// (L(θ+εu) − L(θ−εu)) / 2ε) and individual entries (the largest-gradient one plus random ones).
// Some targets are masked (< 0), so the masked-loss path is checked too.
import Foundation

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
                           entriesPerTensor: Int = 3, epsilon: Double = 1e-5) -> [GradientCheckResult] {
        let store = ParameterStore<Double>(specs: LlamaModel<Double>.parameterSpecs(shape))
        var rng = SplitMix64(seed: seed)
        // Larger than training init so every nonlinearity is exercised; norms away from 1.
        for i in 0..<store.specs.count {
            let t = store.tensor(at: i)
            let isNorm = store.specs[i].shape.count == 1
            for j in 0..<t.count { t.values[j] = isNorm ? 1 + 0.2 * rng.normal() : 0.15 * rng.normal() }
        }
        let model = LlamaModel<Double>(shape: shape, parameters: store, maxSequences: sequences, maxTokens: length)
        let n = sequences * length
        let tokens = (0..<n).map { _ in Int32(rng.next() % UInt64(shape.vocab)) }
        let targets = (0..<n).map { i in i % 5 == 3 ? -1 : Int32(rng.next() % UInt64(shape.vocab)) }

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
