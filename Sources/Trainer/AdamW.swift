// AdamW with decoupled weight decay (Loshchilov & Hutter), applied over a ParameterStore's flat buffers;
// tensors whose spec says `decays: false` (norms, biases) get no decay. Plus global-norm gradient clipping.
//
//     let optimizer = AdamW<Float>(count: store.count, settings: .init())
//     let norm = GradientClipping.clip(store, maxNorm: 1)    // the norm before clipping
//     optimizer.step(store, learningRate: schedule.learningRate(at: step))
//
// The moment buffers and the step counter are the whole state (saved by checkpoints).
import Foundation

public struct AdamWSettings: Codable, Sendable, Equatable {
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    public var weightDecay: Double

    public init(beta1: Double = 0.9, beta2: Double = 0.95, epsilon: Double = 1e-8, weightDecay: Double = 0.1) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

public final class AdamW<S: TrainScalar>: @unchecked Sendable {  // used by one training thread
    public let settings: AdamWSettings
    public let count: Int
    /// First and second moments, one per parameter.
    public let m: UnsafeMutablePointer<S>
    public let v: UnsafeMutablePointer<S>
    /// Updates applied so far (bias correction uses it).
    public var steps: Int = 0

    public init(count: Int, settings: AdamWSettings) {
        self.settings = settings
        self.count = count
        m = .allocate(capacity: max(count, 1))
        v = .allocate(capacity: max(count, 1))
        m.initialize(repeating: 0, count: max(count, 1))
        v.initialize(repeating: 0, count: max(count, 1))
    }

    deinit {
        m.deallocate()
        v.deallocate()
    }

    /// One update of every parameter in `store` from its gradient.
    public func step(_ store: ParameterStore<S>, learningRate: Double) {
        precondition(store.count == count, "optimizer state does not match the parameters")
        guard let grads = store.grads else { return }
        steps += 1
        let b1 = S(settings.beta1), b2 = S(settings.beta2), eps = S(settings.epsilon)
        let correction1 = S(1 - Foundation.pow(settings.beta1, Double(steps)))
        let correction2 = S(1 - Foundation.pow(settings.beta2, Double(steps)))
        let lr = S(learningRate)
        let m = self.m, v = self.v, p = store.values
        for (i, spec) in store.specs.enumerated() {
            let decay = spec.decays ? S(learningRate * settings.weightDecay) : 0
            let base = store.offsets[i]
            // Element-wise, so parallel chunks give the same values as one loop.
            Parallel.chunks(spec.count, minChunk: 1 << 15) { range in
                for j in (base + range.lowerBound)..<(base + range.upperBound) {
                    let g = grads[j]
                    m[j] = b1 * m[j] + (1 - b1) * g
                    v[j] = b2 * v[j] + (1 - b2) * g * g
                    let mHat = m[j] / correction1, vHat = v[j] / correction2
                    p[j] -= lr * mHat / (vHat.squareRoot() + eps) + decay * p[j]
                }
            }
        }
    }
}

public enum GradientClipping {
    /// Scales all gradients so their global L2 norm is at most `maxNorm` (no-op when maxNorm ≤ 0); returns the
    /// norm before clipping.
    @discardableResult
    public static func clip<S: TrainScalar>(_ store: ParameterStore<S>, maxNorm: Double) -> Double {
        let norm = store.gradientNorm()
        guard maxNorm > 0, norm > maxNorm, let grads = store.grads else { return norm }
        let scale = S(maxNorm / norm)
        for i in 0..<store.count { grads[i] *= scale }
        return norm
    }
}
